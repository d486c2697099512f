package dev.swarmkit.ca;

import dev.swarmkit.api.plugin.PluginProto;
import dev.swarmkit.api.plugin.TLSAuthorization;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.protobuf.ProtoMethodDescriptorSupplier;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Map;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enforces each method's {@code (docker.protobuf.plugin.tls_authorization)} option, as upstream's
 * generated authenticated wrappers: insecure methods are open; the others need a client certificate
 * that chains to the swarm root (and was valid when the TLS session was established, as Go verifies
 * at handshake), whose OU is one of the method's roles, whose O is this cluster, and whose node was
 * not removed. Methods without the option are refused. The verified {@link NodeIdentity} is exposed
 * through {@link CallerIdentity}. On a call a manager relays ({@link ForwardedCaller} headers) the
 * identity is the forwarded caller's, never the relaying manager's: on insecure methods it may be
 * none, when the caller presented no certificate.
 */
public final class AuthorizationInterceptor implements ServerInterceptor {

  private static final Logger log = LoggerFactory.getLogger(AuthorizationInterceptor.class);
  private static final TLSAuthorization NO_POLICY = TLSAuthorization.getDefaultInstance();

  private final java.util.function.Function<Instant, List<RootCA>> roots;
  private final String clusterId;
  private final RemovedNodes removedNodes;
  private final Map<String, TLSAuthorization> policies = new ConcurrentHashMap<>();

  public AuthorizationInterceptor(Supplier<RootCA> root, String clusterId, RemovedNodes removedNodes) {
    this(at -> List.of(root.get()), clusterId, removedNodes);
  }

  /**
   * @param roots the roots trusted when a TLS session was established (at that instant): as Go's TLS,
   *     a connection verified under a root stays verified after a root rotation replaced it
   */
  public AuthorizationInterceptor(java.util.function.Function<Instant, List<RootCA>> roots, String clusterId,
      RemovedNodes removedNodes) {
    this.roots = roots;
    this.clusterId = clusterId;
    this.removedNodes = removedNodes;
  }

  /** Authorizes against the root and cluster of this node's own certificate. */
  public static AuthorizationInterceptor forNode(SecurityConfig security, RemovedNodes removedNodes) {
    return new AuthorizationInterceptor(security::rootsTrustedAt, security.identity().clusterId(), removedNodes);
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
      ServerCallHandler<ReqT, RespT> next) {
    MethodDescriptor<ReqT, RespT> method = call.getMethodDescriptor();
    TLSAuthorization policy = policies.computeIfAbsent(method.getFullMethodName(), n -> policyOf(method));
    Verified caller = verify(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));

    if (policy.getInsecure()) {
      if (ForwardedCaller.isForwarded(headers)) {
        return forwardedInsecure(call, headers, next, caller);
      }
      Context context = caller.identity.map(id -> Context.current().withValue(CallerIdentity.KEY, id))
          .orElse(Context.current());
      return Contexts.interceptCall(context, call, headers, next);
    }
    String denial;
    if (policy != NO_POLICY && policy.getRolesCount() > 0 && ForwardedCaller.isForwarded(headers)) {
      return forwarded(call, headers, next, policy, caller);
    }
    if (policy == NO_POLICY || policy.getRolesCount() == 0) {
      denial = "Permission denied: no TLS authorization policy for method " + method.getFullMethodName();
    } else if (caller.identity.isEmpty()) {
      denial = caller.error;
    } else if (!policy.getRolesList().contains(caller.identity.get().role())) {
      denial = "Permission denied: remote certificate not part of OUs: " + policy.getRolesList();
    } else {
      Context context = Context.current().withValue(CallerIdentity.KEY, caller.identity.get());
      return Contexts.interceptCall(context, call, headers, next);
    }
    log.debug("refusing {}: {}", method.getFullMethodName(), denial);
    call.close(Status.PERMISSION_DENIED.withDescription(denial), new Metadata());
    return new ServerCall.Listener<>() {};
  }

  /**
   * A call a follower relayed for another node: the follower must be a manager of this cluster, and
   * the forwarded caller must hold one of the method's roles (upstream's AuthorizeForwardedRoleAndOrg).
   */
  private <ReqT, RespT> ServerCall.Listener<ReqT> forwarded(ServerCall<ReqT, RespT> call, Metadata headers,
      ServerCallHandler<ReqT, RespT> next, TLSAuthorization policy, Verified forwarder) {
    String denial;
    Optional<NodeIdentity> original = ForwardedCaller.identity(headers);
    if (forwarder.identity.isEmpty() || !Roles.MANAGER.equals(forwarder.identity.get().role())) {
      denial = "Permission denied: unauthorized forwarder role: "
          + (forwarder.identity.isEmpty() ? forwarder.error : "remote certificate not part of OUs: [" + Roles.MANAGER + "]");
    } else if (original.isEmpty()) {
      denial = "Permission denied: missing information in forwarded request";
    } else if (!policy.getRolesList().contains(original.get().role())) {
      denial = "Permission denied: unauthorized forwarded role, expecting: " + policy.getRolesList();
    } else if (!clusterId.equals(original.get().clusterId())) {
      denial = "Permission denied: organization mismatch, expecting: " + clusterId;
    } else if (removedNodes.isRemoved(original.get().nodeId())) {
      denial = "Permission denied: node " + original.get().nodeId() + " was removed from swarm";
    } else {
      String addr = headers.get(ForwardedCaller.REMOTE_ADDR);
      Context context = Context.current().withValue(CallerIdentity.KEY, original.get())
          .withValue(ForwardedCaller.ADDRESS, addr == null ? "" : addr);
      return Contexts.interceptCall(context, call, headers, next);
    }
    log.debug("refusing forwarded {}: {}", call.getMethodDescriptor().getFullMethodName(), denial);
    call.close(Status.PERMISSION_DENIED.withDescription(denial), new Metadata());
    return new ServerCall.Listener<>() {};
  }

  /**
   * An insecure method (token-based join, certificate status) a follower relayed: the handler must
   * see the original caller's identity, or none when it had no valid certificate, never the
   * relaying manager's. As for a direct call, a forwarded identity of a removed node counts as none.
   */
  private <ReqT, RespT> ServerCall.Listener<ReqT> forwardedInsecure(ServerCall<ReqT, RespT> call,
      Metadata headers, ServerCallHandler<ReqT, RespT> next, Verified forwarder) {
    String denial;
    Optional<NodeIdentity> original = ForwardedCaller.identity(headers);
    if (forwarder.identity.isEmpty() || !Roles.MANAGER.equals(forwarder.identity.get().role())) {
      denial = "Permission denied: unauthorized forwarder role: "
          + (forwarder.identity.isEmpty() ? forwarder.error : "remote certificate not part of OUs: [" + Roles.MANAGER + "]");
    } else if (original.isEmpty() && !ForwardedCaller.isAnonymous(headers)) {
      denial = "Permission denied: missing information in forwarded request";
    } else if (original.isPresent() && !clusterId.equals(original.get().clusterId())) {
      denial = "Permission denied: organization mismatch, expecting: " + clusterId;
    } else {
      String addr = headers.get(ForwardedCaller.REMOTE_ADDR);
      Context context = Context.current().withValue(ForwardedCaller.ADDRESS, addr == null ? "" : addr);
      Optional<NodeIdentity> identity = original.filter(id -> !removedNodes.isRemoved(id.nodeId()));
      if (identity.isPresent()) {
        context = context.withValue(CallerIdentity.KEY, identity.get());
      }
      return Contexts.interceptCall(context, call, headers, next);
    }
    log.debug("refusing forwarded {}: {}", call.getMethodDescriptor().getFullMethodName(), denial);
    call.close(Status.PERMISSION_DENIED.withDescription(denial), new Metadata());
    return new ServerCall.Listener<>() {};
  }

  private record Verified(Optional<NodeIdentity> identity, String error) {
    static Verified denied(String error) {
      return new Verified(Optional.empty(), error);
    }
  }

  /**
   * A session's chain verified by this interceptor, kept in the session: the chain and the instant it
   * is verified at (the handshake) never change, so later calls on the connection skip the signature
   * checks (an ECDSA verification each). Removal and cluster are still checked on every call.
   */
  private record ChainVerified(AuthorizationInterceptor by, NodeIdentity identity) {}

  private static final String CHAIN_VERIFIED = ChainVerified.class.getName();

  private Verified verify(SSLSession session) {
    if (session == null) {
      return Verified.denied("Permission denied: request is not using TLS");
    }
    if (session.getValue(CHAIN_VERIFIED) instanceof ChainVerified v && v.by() == this) {
      return admitted(v.identity());
    }
    Certificate[] chain;
    try {
      chain = session.getPeerCertificates();
    } catch (SSLPeerUnverifiedException e) {
      return Verified.denied("Permission denied: no client certificates in request");
    }
    if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
      return Verified.denied("Permission denied: no client certificates in request");
    }
    try {
      // During a root rotation the chain carries the new root cross-signed by the old one.
      X509Certificate[] x509 = java.util.Arrays.stream(chain).filter(X509Certificate.class::isInstance)
          .map(X509Certificate.class::cast).toArray(X509Certificate[]::new);
      Instant established = Instant.ofEpochMilli(session.getCreationTime());
      CertificateException failure = null;
      for (RootCA root : roots.apply(established)) {
        try {
          root.verifyChain(x509, established);
          failure = null;
          break;
        } catch (CertificateException e) {
          failure = failure == null ? e : failure;
        }
      }
      if (failure != null) {
        throw failure;
      }
    } catch (CertificateException e) {
      return Verified.denied("Permission denied: invalid client certificate: " + e.getMessage());
    }
    NodeIdentity identity = NodeIdentity.fromCertificate(leaf);
    session.putValue(CHAIN_VERIFIED, new ChainVerified(this, identity));
    return admitted(identity);
  }

  private Verified admitted(NodeIdentity identity) {
    if (removedNodes.isRemoved(identity.nodeId())) {
      return Verified.denied("Permission denied: node " + identity.nodeId() + " was removed from swarm");
    }
    if (!clusterId.equals(identity.clusterId())) {
      return Verified.denied("Permission denied: remote certificate not part of organization: " + clusterId);
    }
    return new Verified(Optional.of(identity), null);
  }

  private static TLSAuthorization policyOf(MethodDescriptor<?, ?> method) {
    if (method.getSchemaDescriptor() instanceof ProtoMethodDescriptorSupplier supplier) {
      var options = supplier.getMethodDescriptor().getOptions();
      if (options.hasExtension(PluginProto.tlsAuthorization)) {
        return options.getExtension(PluginProto.tlsAuthorization);
      }
    }
    return NO_POLICY;
  }
}
