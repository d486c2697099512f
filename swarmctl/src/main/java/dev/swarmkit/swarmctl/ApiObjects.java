package dev.swarmkit.swarmctl;

import com.google.protobuf.MessageOrBuilder;
import dev.swarmkit.api.Annotations;
import dev.swarmkit.api.Meta;

/**
 * The fields every stored swarmkit object has (id, meta, spec.annotations), read alike whatever its
 * type: Java's generated classes share no interface for them, as Go's do (api.StoreObject).
 */
public final class ApiObjects {
    private ApiObjects() {
    }

    public static String id(MessageOrBuilder object) {
        return (String) field(object, "id");
    }

    public static Meta meta(MessageOrBuilder object) {
        return (Meta) field(object, "meta");
    }

    public static Annotations annotations(MessageOrBuilder object) {
        return (Annotations) field((MessageOrBuilder) field(object, "spec"), "annotations");
    }

    private static Object field(MessageOrBuilder object, String name) {
        var field = object.getDescriptorForType().findFieldByName(name);
        if (field == null) {
            throw new IllegalArgumentException(object.getDescriptorForType().getName() + " has no " + name);
        }
        return object.getField(field);
    }
}
