package dev.swarmkit.scheduler;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * Parses IP literals and CIDR subnets without ever resolving host names (InetAddress would do a DNS
 * lookup for anything that is not a literal). IPv4-mapped IPv6 addresses normalize to IPv4.
 */
final class IpAddresses {

  private static final Pattern IPV4 =
      Pattern.compile("^(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}$");
  private static final Pattern IPV6_CHARS = Pattern.compile("^[0-9A-Fa-f:.]+$");

  private IpAddresses() {}

  /** A subnet: network address bytes and prefix length. */
  record Subnet(byte[] network, int prefix) {
    boolean contains(byte[] ip) {
      if (ip == null || ip.length != network.length) {
        return false;
      }
      for (int bit = 0; bit < prefix; bit++) {
        int mask = 0x80 >>> (bit % 8);
        if ((ip[bit / 8] & mask) != (network[bit / 8] & mask)) {
          return false;
        }
      }
      return true;
    }
  }

  /** The address bytes (4 or 16), or null when {@code text} is not an IP literal. */
  static byte[] parse(String text) {
    if (text == null || text.isEmpty()) {
      return null;
    }
    if (IPV4.matcher(text).matches()) {
      return literal(text);
    }
    if (text.indexOf(':') >= 0 && IPV6_CHARS.matcher(text).matches()) {
      return literal(text);
    }
    return null;
  }

  /** The subnet written as address/prefix, or null when malformed. */
  static Subnet parseCidr(String text) {
    int slash = text.indexOf('/');
    if (slash < 0) {
      return null;
    }
    String addr = text.substring(0, slash);
    String bits = text.substring(slash + 1);
    if (bits.isEmpty() || bits.length() > 3 || !bits.chars().allMatch(Character::isDigit)) {
      return null;
    }
    boolean v4Text = IPV4.matcher(addr).matches();
    byte[] ip = parse(addr);
    if (ip == null) {
      return null;
    }
    int prefix = Integer.parseInt(bits);
    // An IPv4-mapped IPv6 network normalizes to IPv4: its prefix counts the 96 mapping bits.
    if (!v4Text && ip.length == 4) {
      prefix -= 96;
      if (prefix < 0) {
        return null;
      }
    }
    if (prefix > ip.length * 8) {
      return null;
    }
    return new Subnet(ip, prefix);
  }

  private static byte[] literal(String text) {
    try {
      // Only called for strings made of IP literal characters, so this never hits DNS.
      return InetAddress.getByName(text).getAddress();
    } catch (UnknownHostException | SecurityException e) {
      return null;
    }
  }
}
