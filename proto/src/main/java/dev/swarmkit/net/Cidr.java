package dev.swarmkit.net;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An IPv4 or IPv6 prefix in CIDR notation ({@code 10.0.0.0/24}), and IP literals, parsed without
 * ever resolving a host name. The one parser of the project for addresses and subnets: the
 * scheduler's {@code node.ip} constraint, the control API's IPAM checks and the network allocator
 * use it. IPv4-mapped IPv6 addresses normalize to IPv4 (and their prefix drops the 96 mapping bits).
 */
public final class Cidr {

  private static final Pattern IPV4 =
      Pattern.compile("^(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}$");
  private static final Pattern IPV6_CHARS = Pattern.compile("^[0-9A-Fa-f:.]+$");

  private final byte[] address;
  private final int prefixLength;

  private Cidr(byte[] address, int prefixLength) {
    this.address = address;
    this.prefixLength = prefixLength;
  }

  /** The address bytes (4 or 16) of an IP literal; empty for anything else, host names included. */
  public static Optional<byte[]> parseAddress(String text) {
    if (text == null || text.isEmpty()) {
      return Optional.empty();
    }
    boolean v4 = IPV4.matcher(text).matches();
    if (!v4 && !(text.indexOf(':') >= 0 && IPV6_CHARS.matcher(text).matches())) {
      return Optional.empty();
    }
    try {
      // Only reached for strings made of IP literal characters, so this never hits DNS.
      return Optional.of(InetAddress.getByName(text).getAddress());
    } catch (UnknownHostException | SecurityException e) {
      return Optional.empty();
    }
  }

  /** The prefix written as {@code address/length}; empty when malformed. */
  public static Optional<Cidr> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    int slash = text.indexOf('/');
    if (slash < 0) {
      return Optional.empty();
    }
    String addr = text.substring(0, slash);
    String bits = text.substring(slash + 1);
    if (bits.isEmpty() || bits.length() > 3 || !bits.chars().allMatch(Character::isDigit)) {
      return Optional.empty();
    }
    Optional<byte[]> ip = parseAddress(addr);
    if (ip.isEmpty()) {
      return Optional.empty();
    }
    int prefix = Integer.parseInt(bits);
    if (!IPV4.matcher(addr).matches() && ip.get().length == 4) {
      prefix -= 96;
      if (prefix < 0) {
        return Optional.empty();
      }
    }
    if (prefix > ip.get().length * 8) {
      return Optional.empty();
    }
    return Optional.of(new Cidr(ip.get(), prefix));
  }

  /** An IPv4 prefix from its network address and length. */
  public static Cidr ipv4(long network, int prefixLength) {
    return new Cidr(toBytes(network), prefixLength);
  }

  /** The address as written (host bits may be set, as in {@code 10.0.0.7/24}). */
  public byte[] address() {
    return address.clone();
  }

  public int prefixLength() {
    return prefixLength;
  }

  public boolean isIpv4() {
    return address.length == 4;
  }

  /** The network address: the written address with its host bits cleared. */
  public byte[] network() {
    byte[] masked = address.clone();
    for (int bit = prefixLength; bit < masked.length * 8; bit++) {
      masked[bit / 8] &= (byte) ~(0x80 >> (bit % 8));
    }
    return masked;
  }

  /** Whether {@code ip} (4 or 16 bytes) lies in this prefix; different families never match. */
  public boolean contains(byte[] ip) {
    if (ip == null) {
      return false;
    }
    byte[] candidate = ip;
    if (candidate.length == 16 && address.length == 4 && isV4Mapped(candidate)) {
      candidate = Arrays.copyOfRange(candidate, 12, 16);
    }
    if (candidate.length != address.length) {
      return false;
    }
    for (int bit = 0; bit < prefixLength; bit++) {
      int mask = 0x80 >>> (bit % 8);
      if ((candidate[bit / 8] & mask) != (address[bit / 8] & mask)) {
        return false;
      }
    }
    return true;
  }

  /** Whether the two prefixes share any address. */
  public boolean overlaps(Cidr other) {
    return contains(other.network()) || other.contains(network());
  }

  /** IPv4 only: the number of addresses in the prefix. */
  public long size() {
    requireIpv4();
    return 1L << (32 - prefixLength);
  }

  /** IPv4 only: the network address as an unsigned number. */
  public long networkValue() {
    requireIpv4();
    return toLong(network());
  }

  /** IPv4 only: the address {@code offset} places after the network address. */
  public byte[] addressAt(long offset) {
    return toBytes(networkValue() + offset);
  }

  /** IPv4 only: how many places after the network address {@code ip} lies. */
  public long offsetOf(byte[] ip) {
    return toLong(ip) - networkValue();
  }

  /** The network in canonical notation, e.g. {@code 10.0.3.0/24}. */
  public String networkString() {
    return format(network()) + "/" + prefixLength;
  }

  /** The canonical text of an address (4 or 16 bytes). */
  public static String format(byte[] ip) {
    try {
      return InetAddress.getByAddress(ip).getHostAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an IP address: " + ip.length + " bytes", e);
    }
  }

  private void requireIpv4() {
    if (!isIpv4()) {
      throw new IllegalStateException("IPv4 prefix expected: " + this);
    }
  }

  private static long toLong(byte[] ip) {
    long v = 0;
    for (byte b : ip) {
      v = (v << 8) | (b & 0xff);
    }
    return v;
  }

  private static byte[] toBytes(long v) {
    return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
  }

  private static boolean isV4Mapped(byte[] v6) {
    for (int i = 0; i < 10; i++) {
      if (v6[i] != 0) {
        return false;
      }
    }
    return v6[10] == (byte) 0xff && v6[11] == (byte) 0xff;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Cidr c && c.prefixLength == prefixLength && Arrays.equals(c.address, address);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(address) + prefixLength;
  }

  @Override
  public String toString() {
    return format(address) + "/" + prefixLength;
  }
}
