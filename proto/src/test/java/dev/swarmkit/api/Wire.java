package dev.swarmkit.api;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Hand-rolled protobuf wire writer for expected encodings. Deliberately independent of protobuf-java
 * so a test comparing its bytes with the generated code's catches renumbered or retyped fields.
 */
final class Wire {
  private static final int VARINT = 0;
  private static final int LENGTH_DELIMITED = 2;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  static Wire message() {
    return new Wire();
  }

  Wire varint(int field, long value) {
    tag(field, VARINT);
    rawVarint(value);
    return this;
  }

  Wire string(int field, String value) {
    return bytes(field, value.getBytes(StandardCharsets.UTF_8));
  }

  Wire bytes(int field, byte[] value) {
    tag(field, LENGTH_DELIMITED);
    rawVarint(value.length);
    out.writeBytes(value);
    return this;
  }

  Wire message(int field, Wire nested) {
    return bytes(field, nested.toBytes());
  }

  /** A map entry: key is field 1, value field 2, as protobuf maps are encoded. */
  Wire mapEntry(int field, String key, String value) {
    return message(field, message().string(1, key).string(2, value));
  }

  byte[] toBytes() {
    return out.toByteArray();
  }

  private void tag(int field, int wireType) {
    rawVarint(((long) field << 3) | wireType);
  }

  private void rawVarint(long value) {
    while ((value & ~0x7FL) != 0) {
      out.write((int) ((value & 0x7F) | 0x80));
      value >>>= 7;
    }
    out.write((int) value);
  }
}
