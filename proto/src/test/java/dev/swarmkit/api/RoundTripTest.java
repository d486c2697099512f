package dev.swarmkit.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import dev.swarmkit.api.raftpb.RaftpbProto;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every message type of the API survives binary and JSON encoding with every field populated. */
class RoundTripTest {

  private static final List<FileDescriptor> FILES = List.of(
      TypesProto.getDescriptor(), SpecsProto.getDescriptor(), ObjectsProto.getDescriptor(),
      ControlProto.getDescriptor(), DispatcherProto.getDescriptor(), CaProto.getDescriptor(),
      RaftProto.getDescriptor(), HealthProto.getDescriptor(), LogbrokerProto.getDescriptor(),
      WatchProto.getDescriptor(), ResourceProto.getDescriptor(), SnapshotProto.getDescriptor(),
      RaftpbProto.getDescriptor());

  private static final JsonFormat.TypeRegistry REGISTRY = registry();

  static Stream<Descriptor> allMessageTypes() {
    Map<String, Descriptor> all = new LinkedHashMap<>();
    for (FileDescriptor file : FILES) {
      for (Descriptor d : file.getMessageTypes()) {
        collect(d, all);
      }
    }
    return all.values().stream();
  }

  private static void collect(Descriptor d, Map<String, Descriptor> out) {
    if (d.getOptions().getMapEntry()) {
      return;
    }
    out.put(d.getFullName(), d);
    d.getNestedTypes().forEach(n -> collect(n, out));
  }

  private static JsonFormat.TypeRegistry registry() {
    JsonFormat.TypeRegistry.Builder b = JsonFormat.TypeRegistry.newBuilder();
    FILES.forEach(f -> f.getMessageTypes().forEach(b::add));
    return b.build();
  }

  @Test
  void everyApiFileContributesMessages() {
    assertThat(allMessageTypes().count()).isGreaterThan(280);
    for (FileDescriptor file : FILES) {
      assertThat(file.getMessageTypes()).as(file.getName()).isNotEmpty();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("allMessageTypes")
  void survivesBinaryRoundTrip(Descriptor type) throws Exception {
    Message original = populate(type, 0);
    byte[] bytes = original.toByteArray();
    Message parsed = generatedDefault(type).getParserForType().parseFrom(bytes);
    assertThat(parsed).isEqualTo(toGenerated(original));
    assertThat(parsed.toByteArray()).containsExactly(bytes);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("allMessageTypes")
  void survivesJsonRoundTrip(Descriptor type) throws Exception {
    Message original = toGenerated(populate(type, 0));
    String json = JsonFormat.printer().usingTypeRegistry(REGISTRY).print(original);
    Message.Builder builder = generatedDefault(type).newBuilderForType();
    JsonFormat.parser().usingTypeRegistry(REGISTRY).merge(json, builder);
    assertThat(builder.build()).isEqualTo(original);
  }

  private static Message generatedDefault(Descriptor type) throws Exception {
    String javaName = javaClassName(type);
    Class<?> cls = Class.forName(javaName);
    return (Message) cls.getMethod("getDefaultInstance").invoke(null);
  }

  private static String javaClassName(Descriptor type) {
    String pkg = type.getFile().getOptions().getJavaPackage();
    List<String> names = new ArrayList<>();
    for (Descriptor d = type; d != null; d = d.getContainingType()) {
      names.add(0, d.getName());
    }
    return pkg + "." + String.join("$", names);
  }

  private static Message toGenerated(Message dynamic) throws Exception {
    return generatedDefault(dynamic.getDescriptorForType()).getParserForType().parseFrom(dynamic.toByteArray());
  }

  /** A message with every field set (one member per oneof), nested messages up to a depth. */
  private static Message populate(Descriptor type, int depth) {
    DynamicMessage.Builder b = DynamicMessage.newBuilder(type);
    if (type.getFullName().equals("google.protobuf.Any")) {
      return DynamicMessage.newBuilder(type)
          .setField(type.findFieldByName("type_url"), "type.googleapis.com/docker.swarmkit.v1.Version")
          .setField(type.findFieldByName("value"), Version.newBuilder().setIndex(5).build().toByteString())
          .build();
    }
    for (FieldDescriptor f : type.getFields()) {
      if (f.getContainingOneof() != null && f.getContainingOneof().getField(0) != f) {
        continue;
      }
      if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE && depth >= 4) {
        continue;
      }
      if (f.isMapField()) {
        Descriptor entry = f.getMessageType();
        DynamicMessage.Builder e = DynamicMessage.newBuilder(entry);
        e.setField(entry.findFieldByNumber(1), sample(entry.findFieldByNumber(1), depth + 1));
        e.setField(entry.findFieldByNumber(2), sample(entry.findFieldByNumber(2), depth + 1));
        b.addRepeatedField(f, e.build());
      } else if (f.isRepeated()) {
        b.addRepeatedField(f, sample(f, depth + 1));
        b.addRepeatedField(f, sample(f, depth + 1));
      } else {
        b.setField(f, sample(f, depth + 1));
      }
    }
    return b.build();
  }

  private static java.lang.Object sample(FieldDescriptor f, int depth) {
    int n = f.getNumber();
    return switch (f.getJavaType()) {
      case INT -> n + 1;
      case LONG -> (long) n * 1_000_003L;
      case FLOAT -> n + 0.5f;
      case DOUBLE -> n + 0.25;
      case BOOLEAN -> true;
      case STRING -> f.getName() + "-" + n;
      case BYTE_STRING -> ByteString.copyFromUtf8("bytes-" + n);
      case ENUM -> lastValue(f.getEnumType());
      case MESSAGE -> populate(f.getMessageType(), depth);
    };
  }

  private static java.lang.Object lastValue(EnumDescriptor e) {
    return e.getValues().get(e.getValues().size() - 1);
  }

  @Test
  void anyFieldsCarryApiMessages() throws Exception {
    Any packed = Any.pack(Version.newBuilder().setIndex(5).build());
    assertThat(packed.getTypeUrl()).isEqualTo("type.googleapis.com/docker.swarmkit.v1.Version");
    assertThat(packed.unpack(Version.class).getIndex()).isEqualTo(5);
  }
}
