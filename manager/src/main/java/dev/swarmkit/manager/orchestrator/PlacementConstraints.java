package dev.swarmkit.manager.orchestrator;

import dev.swarmkit.api.Node;
import java.math.BigInteger;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Placement constraint expressions ({@code node.labels.zone==east}, {@code node.role!=manager}) and
 * whether a node satisfies them, with upstream's keys and case-insensitive matching.
 *
 * <p>The orchestrators need this before the scheduler module's own parser is available on main; it
 * is kept small and private to the orchestrators so it can be replaced by the scheduler's one.
 */
public final class PlacementConstraints {

  private static final Pattern KEY = Pattern.compile("^(?i)[a-z_][a-z0-9\\-_.]+$");
  private static final Pattern VALUE = Pattern.compile("^(?i)[a-z0-9:\\-_\\s.*()?+\\[\\]\\\\^$|/]+$");
  private static final String NODE_LABEL_PREFIX = "node.labels.";
  private static final String ENGINE_LABEL_PREFIX = "engine.labels.";

  private final List<Expr> exprs;

  private PlacementConstraints(List<Expr> exprs) {
    this.exprs = List.copyOf(exprs);
  }

  public static PlacementConstraints none() {
    return new PlacementConstraints(List.of());
  }

  /**
   * Parses constraint expressions.
   *
   * @throws IllegalArgumentException with upstream's wording for malformed expressions
   */
  public static PlacementConstraints parse(List<String> expressions) {
    List<Expr> exprs = new ArrayList<>();
    for (String e : expressions) {
      boolean equal;
      int at = e.indexOf("==");
      if (at >= 0) {
        equal = true;
      } else {
        at = e.indexOf("!=");
        equal = false;
      }
      if (at < 0) {
        throw new IllegalArgumentException("constraint expected one operator from ==, !=");
      }
      String key = e.substring(0, at).trim();
      String value = e.substring(at + 2).trim();
      if (!KEY.matcher(key).matches()) {
        throw new IllegalArgumentException("key '" + key + "' is invalid");
      }
      if (!VALUE.matcher(value).matches()) {
        throw new IllegalArgumentException("value '" + value + "' is invalid");
      }
      exprs.add(new Expr(key, equal, value));
    }
    return new PlacementConstraints(exprs);
  }

  /** Parses leniently: a malformed list matches no node, as upstream's NodeMatches on parse errors. */
  public static PlacementConstraints parseOrUnsatisfiable(List<String> expressions) {
    try {
      return parse(expressions);
    } catch (IllegalArgumentException e) {
      return new PlacementConstraints(List.of(new Expr("", true, "")));
    }
  }

  public boolean isEmpty() {
    return exprs.isEmpty();
  }

  public boolean matches(Node node) {
    for (Expr c : exprs) {
      if (!c.matches(node)) {
        return false;
      }
    }
    return true;
  }

  private record Expr(String key, boolean equal, String value) {

    boolean matches(Node n) {
      String k = key.toLowerCase(Locale.ROOT);
      switch (k) {
        case "node.id":
          return test(n.getId());
        case "node.hostname":
          return test(n.hasDescription() ? n.getDescription().getHostname() : "");
        case "node.ip":
          return matchesIp(n.getStatus().getAddr());
        case "node.role":
          return test(n.getRole().name());
        case "node.platform.os":
          return test(n.getDescription().getPlatform().getOs());
        case "node.platform.arch":
          return test(n.getDescription().getPlatform().getArchitecture());
        default:
          break;
      }
      if (k.length() > NODE_LABEL_PREFIX.length() && k.startsWith(NODE_LABEL_PREFIX)) {
        String label = key.substring(NODE_LABEL_PREFIX.length());
        return test(n.getSpec().getAnnotations().getLabelsOrDefault(label, ""));
      }
      if (k.length() > ENGINE_LABEL_PREFIX.length() && k.startsWith(ENGINE_LABEL_PREFIX)) {
        String label = key.substring(ENGINE_LABEL_PREFIX.length());
        return test(n.getDescription().getEngine().getLabelsOrDefault(label, ""));
      }
      return false;
    }

    private boolean test(String actual) {
      return value.equalsIgnoreCase(actual) == equal;
    }

    private boolean matchesIp(String nodeAddr) {
      byte[] node = literalIp(nodeAddr);
      int slash = value.indexOf('/');
      byte[] wanted = literalIp(slash < 0 ? value : value.substring(0, slash));
      if (wanted == null) {
        return false;
      }
      boolean inside;
      if (slash < 0) {
        inside = node != null && java.util.Arrays.equals(node, wanted);
      } else {
        int bits;
        try {
          bits = Integer.parseInt(value.substring(slash + 1));
        } catch (NumberFormatException e) {
          return false;
        }
        inside = node != null && node.length == wanted.length && samePrefix(node, wanted, bits);
      }
      return inside == equal;
    }

    private static boolean samePrefix(byte[] a, byte[] b, int bits) {
      int total = a.length * 8;
      if (bits < 0 || bits > total) {
        return false;
      }
      BigInteger mask = BigInteger.ONE.shiftLeft(total).subtract(BigInteger.ONE)
          .xor(BigInteger.ONE.shiftLeft(total - bits).subtract(BigInteger.ONE));
      return new BigInteger(1, a).and(mask).equals(new BigInteger(1, b).and(mask));
    }

    /** Parses only IP literals: never resolves host names. */
    private static byte[] literalIp(String s) {
      if (s == null || s.isEmpty() || !(s.contains(":") || s.matches("[0-9.]+"))) {
        return null;
      }
      try {
        return InetAddress.getByName(s).getAddress();
      } catch (Exception e) {
        return null;
      }
    }
  }
}
