package dev.swarmkit.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

/** Byte scans of what nodes keep on disk, to prove a value is never stored there in plaintext. */
final class RawFiles {
  private RawFiles() {
  }

  /** Every regular file under {@code root} whose bytes contain {@code needle}. */
  static List<Path> containing(Path root, byte[] needle) throws IOException {
    return containing(root, needle, p -> false);
  }

  /**
   * As {@link #containing(Path, byte[])}, leaving out the files {@code skipped} accepts. A file removed
   * while the tree is walked (a temporary file of a live node) holds nothing.
   */
  static List<Path> containing(Path root, byte[] needle, Predicate<Path> skipped) throws IOException {
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(Files::isRegularFile).filter(skipped.negate())
          .filter(p -> contains(read(p), needle)).toList();
    }
  }

  private static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (NoSuchFileException gone) {
      return new byte[0];
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Byte for byte: ISO-8859-1 maps each byte to one char and back. */
  private static boolean contains(byte[] haystack, byte[] needle) {
    return new String(haystack, StandardCharsets.ISO_8859_1).contains(new String(needle, StandardCharsets.ISO_8859_1));
  }
}
