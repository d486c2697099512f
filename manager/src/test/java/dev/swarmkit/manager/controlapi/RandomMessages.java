package dev.swarmkit.manager.controlapi;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import java.util.List;
import java.util.Random;

/**
 * Fills any protobuf message with random values through its descriptor: every field of every nested
 * message (down to a depth), strings from empty to huge and from ASCII to any code point, edge-case
 * numbers, unknown enum numbers, large maps and lists. Driven by one {@link Random}, so a seed replays it.
 */
final class RandomMessages {

  private static final List<String> INTERESTING = List.of("", " ", "default", "ingress", "a", "..", "../x",
      "node.role==manager", "node.labels.a!=b", "-1", "\u0000", "\uD83D\uDE00", "name with spaces", "x=y",
      "local/busybox:1", "127.0.0.1:4242", "10.0.0.0/8", "1s", "-5s");

  private final Random random;
  private final int maxDepth;
  /** Huge strings, bytes and lists are drawn while this lasts, so one message stays a few MiB. */
  private long budget = 4L << 20;

  RandomMessages(Random random, int maxDepth) {
    this.random = random;
    this.maxDepth = maxDepth;
  }

  @SuppressWarnings("unchecked")
  <T extends Message> T fill(T prototype) {
    return (T) fill(prototype.newBuilderForType(), 0).build();
  }

  private Message.Builder fill(Message.Builder b, int depth) {
    for (FieldDescriptor f : b.getDescriptorForType().getFields()) {
      if (random.nextInt(3) == 0) {
        continue; // leave some fields unset
      }
      if (f.getRealContainingOneof() != null && random.nextBoolean()) {
        continue;
      }
      if (f.isRepeated()) {
        int n = random.nextInt(20) == 0 && budget > 0 ? 200 + random.nextInt(800) : random.nextInt(4);
        budget -= n * 16L;
        for (int i = 0; i < n; i++) {
          Object v = value(b, f, depth);
          if (v != null) {
            b.addRepeatedField(f, v);
          }
        }
      } else {
        Object v = value(b, f, depth);
        if (v != null) {
          b.setField(f, v);
        }
      }
    }
    return b;
  }

  private Object value(Message.Builder parent, FieldDescriptor f, int depth) {
    switch (f.getJavaType()) {
      case MESSAGE:
        if (depth >= maxDepth) {
          return null;
        }
        Message.Builder child = f.isRepeated() || f.isMapField()
            ? parent.newBuilderForField(f) : parent.newBuilderForField(f);
        return fill(child, depth + 1).build();
      case STRING:
        return string();
      case BYTE_STRING:
        byte[] bytes = new byte[random.nextInt(10) == 0 && budget > 0 ? random.nextInt(1 << 20) : random.nextInt(64)];
        budget -= bytes.length;
        random.nextBytes(bytes);
        return ByteString.copyFrom(bytes);
      case INT:
        return (int) number();
      case LONG:
        return number();
      case FLOAT:
        return random.nextFloat() * (random.nextBoolean() ? 1e9f : -1e9f);
      case DOUBLE:
        return random.nextBoolean() ? Double.NaN : random.nextGaussian() * 1e12;
      case BOOLEAN:
        return random.nextBoolean();
      case ENUM:
        List<EnumValueDescriptor> values = f.getEnumType().getValues();
        if (random.nextInt(5) == 0) {
          return f.getEnumType().findValueByNumberCreatingIfUnknown(1000 + random.nextInt(1000));
        }
        return values.get(random.nextInt(values.size()));
      default:
        return null;
    }
  }

  private long number() {
    return switch (random.nextInt(6)) {
      case 0 -> 0;
      case 1 -> -1;
      case 2 -> Long.MAX_VALUE;
      case 3 -> Long.MIN_VALUE;
      case 4 -> random.nextInt(10);
      default -> random.nextLong();
    };
  }

  String string() {
    switch (random.nextInt(8)) {
      case 0:
        return INTERESTING.get(random.nextInt(INTERESTING.size()));
      case 1: {
        if (budget <= 0) {
          return "h";
        }
        String huge = "h".repeat(100_000 + random.nextInt(1_000_000));
        budget -= huge.length();
        return huge;
      }
      case 2: {
        StringBuilder sb = new StringBuilder();
        int n = random.nextInt(40);
        for (int i = 0; i < n; i++) {
          int cp = random.nextInt(Character.MAX_CODE_POINT + 1);
          if (Character.isSurrogate((char) cp) && cp <= 0xFFFF) {
            cp = 'x';
          }
          sb.appendCodePoint(cp);
        }
        return sb.toString();
      }
      default: {
        StringBuilder sb = new StringBuilder();
        int n = 1 + random.nextInt(12);
        for (int i = 0; i < n; i++) {
          sb.append("abcdefghijklmnopqrstuvwxyz0123456789-_.=:/ ".charAt(random.nextInt(43)));
        }
        return sb.toString();
      }
    }
  }
}
