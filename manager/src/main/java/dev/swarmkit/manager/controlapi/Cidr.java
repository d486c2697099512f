package dev.swarmkit.manager.controlapi;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.Optional;
import java.util.regex.Pattern;

/** An IPv4 or IPv6 network in CIDR notation, parsed without name resolution. */
record Cidr(byte[] address, int prefixLength) {

  private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
  private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.]+");

  static Optional<Cidr> parse(String text) {
    int slash = text.indexOf('/');
    if (slash < 0) {
      return Optional.empty();
    }
    Optional<byte[]> address = parseAddress(text.substring(0, slash));
    String prefix = text.substring(slash + 1);
    if (address.isEmpty() || !prefix.matches("\\d{1,3}")) {
      return Optional.empty();
    }
    int length = Integer.parseInt(prefix);
    if (length > address.get().length * 8) {
      return Optional.empty();
    }
    return Optional.of(new Cidr(address.get(), length));
  }

  /** A literal IPv4 or IPv6 address; never a host name. */
  static Optional<byte[]> parseAddress(String text) {
    var v4 = IPV4.matcher(text);
    if (v4.matches()) {
      byte[] bytes = new byte[4];
      for (int i = 0; i < 4; i++) {
        int octet = Integer.parseInt(v4.group(i + 1));
        if (octet > 255) {
          return Optional.empty();
        }
        bytes[i] = (byte) octet;
      }
      return Optional.of(bytes);
    }
    if (text.contains(":") && IPV6.matcher(text).matches()) {
      try {
        byte[] bytes = java.net.InetAddress.getByName(text).getAddress();
        return Optional.of(bytes);
      } catch (java.net.UnknownHostException e) {
        return Optional.empty();
      }
    }
    return Optional.empty();
  }

  boolean contains(byte[] other) {
    byte[] candidate = other;
    if (candidate.length == 16 && address.length == 4 && isV4Mapped(candidate)) {
      candidate = Arrays.copyOfRange(candidate, 12, 16);
    }
    if (candidate.length != address.length) {
      return false;
    }
    int bits = address.length * 8;
    BigInteger mask = BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE)
        .shiftRight(prefixLength).not();
    BigInteger network = new BigInteger(1, address).and(mask);
    return new BigInteger(1, candidate).and(mask).equals(network);
  }

  private static boolean isV4Mapped(byte[] v6) {
    for (int i = 0; i < 10; i++) {
      if (v6[i] != 0) {
        return false;
      }
    }
    return v6[10] == (byte) 0xff && v6[11] == (byte) 0xff;
  }
}
