package dev.swarmkit.swarmctl.blob;

import com.google.protobuf.Message;
import dev.swarmkit.swarmctl.Session;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * One kind of named payload with labels (a config or a secret): its calls to the control API, the
 * only part in which the two kinds differ for {@link BlobCommands}.
 *
 * @param noun "config" or "secret", as upstream's messages name it
 */
public record BlobKind<T extends Message>(
        String noun,
        BiFunction<Session, String, T> lookup,
        Function<Session, List<T>> list,
        BiFunction<Session, BlobSpec, T> create,
        BiConsumer<Session, String> remove) {
}
