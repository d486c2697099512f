package dev.swarmkit.ca;

import dev.swarmkit.api.NodeRole;
import java.util.Locale;

/** Role names carried in node certificates (the OU) and their mapping to {@link NodeRole}. */
public final class Roles {

  /** OU of manager certificates; also the TLS server name clients verify. */
  public static final String MANAGER = "swarm-manager";
  /** OU of worker certificates. */
  public static final String WORKER = "swarm-worker";
  /** Extra DNS name in manager certificates, used when bootstrapping a node's certificate. */
  public static final String CA = "swarm-ca";
  /** Common name of the root CA certificate. */
  public static final String ROOT_CN = "swarm-ca";

  private Roles() {}

  /** The certificate OU for an API role. */
  public static String ou(NodeRole role) {
    return switch (role) {
      case MANAGER -> MANAGER;
      case WORKER -> WORKER;
      default -> throw new IllegalArgumentException("failed to parse api role: " + role);
    };
  }

  /** The API role for a certificate OU (case-insensitive, as upstream). */
  public static NodeRole fromOu(String ou) {
    String lower = ou == null ? "" : ou.toLowerCase(Locale.ROOT);
    if (lower.equals(MANAGER)) {
      return NodeRole.MANAGER;
    }
    if (lower.equals(WORKER)) {
      return NodeRole.WORKER;
    }
    throw new IllegalArgumentException("failed to parse role: " + ou);
  }
}
