package dev.swarmkit.ca;

import io.grpc.Context;
import io.grpc.Metadata;
import java.util.Optional;

/**
 * The original caller of a call a follower manager relays to the leader (upstream's forwarded TLS
 * info): the follower adds the caller's certificate subject and address as metadata, and the leader
 * trusts it only when the direct peer is a manager of this cluster. A caller without a certificate
 * (a node joining with a token) is relayed with the marker set and a blank subject, so the leader
 * sees no identity rather than the relaying manager's own.
 */
public final class ForwardedCaller {

  static final Metadata.Key<String> FORWARDED = key("forwarded_cert");
  static final Metadata.Key<String> CN = key("forwarded_cert_cn");
  static final Metadata.Key<String> OU = key("forwarded_cert_ou");
  static final Metadata.Key<String> ORG = key("forwarded_cert_org");
  static final Metadata.Key<String> REMOTE_ADDR = key("remote_addr");

  /** The original caller's address ("host:port") on a forwarded call the leader accepted. */
  public static final Context.Key<String> ADDRESS = Context.key("swarm-forwarded-remote-addr");

  private ForwardedCaller() {}

  /** Headers for relaying a call made by {@code caller} (blank when it had no certificate). */
  public static Metadata headers(Optional<NodeIdentity> caller, String remoteAddr) {
    Metadata md = new Metadata();
    md.put(FORWARDED, "true");
    md.put(CN, caller.map(NodeIdentity::nodeId).orElse(""));
    md.put(ORG, caller.map(NodeIdentity::clusterId).orElse(""));
    caller.ifPresent(id -> md.put(OU, id.role()));
    if (remoteAddr != null && !remoteAddr.isEmpty()) {
      md.put(REMOTE_ADDR, remoteAddr);
    }
    return md;
  }

  static boolean isForwarded(Metadata headers) {
    return "true".equals(headers.get(FORWARDED));
  }

  /** Whether a forwarded call carries the blank subject of a caller that presented no certificate. */
  static boolean isAnonymous(Metadata headers) {
    return isBlank(headers.get(CN)) && isBlank(headers.get(ORG)) && isBlank(headers.get(OU));
  }

  private static boolean isBlank(String value) {
    return value == null || value.isEmpty();
  }

  /** The forwarded identity, empty when a part is missing. */
  static Optional<NodeIdentity> identity(Metadata headers) {
    String cn = headers.get(CN);
    String ou = headers.get(OU);
    String org = headers.get(ORG);
    if (cn == null || cn.isEmpty() || ou == null || ou.isEmpty() || org == null || org.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new NodeIdentity(cn, ou, org));
  }

  private static Metadata.Key<String> key(String name) {
    return Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER);
  }
}
