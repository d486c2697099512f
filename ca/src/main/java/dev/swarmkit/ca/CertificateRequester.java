package dev.swarmkit.ca;

import com.google.protobuf.ByteString;
import dev.swarmkit.api.CAGrpc;
import dev.swarmkit.api.IssuanceStatus;
import dev.swarmkit.api.IssueNodeCertificateRequest;
import dev.swarmkit.api.IssueNodeCertificateResponse;
import dev.swarmkit.api.NodeCAGrpc;
import dev.swarmkit.api.NodeCertificateStatusRequest;
import dev.swarmkit.api.NodeCertificateStatusResponse;
import dev.swarmkit.api.NodeSpec;
import dev.swarmkit.api.GetRootCACertificateRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.KeyPair;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node side of certificate issuance: joining with a token (fetch and check the root, send a CSR,
 * wait for the certificate, save it) and renewing with the current certificate.
 */
public final class CertificateRequester {

  private static final Logger log = LoggerFactory.getLogger(CertificateRequester.class);

  /** Per-RPC deadline and the overall time allowed to obtain a certificate. */
  public record Options(Duration rpcTimeout, Duration overallTimeout) {
    public static Options defaults() {
      return new Options(Duration.ofSeconds(5), Duration.ofMinutes(1));
    }
  }

  private final Options options;

  public CertificateRequester(Options options) {
    this.options = options;
  }

  public CertificateRequester() {
    this(Options.defaults());
  }

  /**
   * Downloads the root CA certificate without verifying the server, then checks it against the
   * digest in {@code token} (upstream's GetRemoteCA).
   *
   * @throws InvalidJoinTokenException the token is malformed
   * @throws CertificateException the served root does not match the token or is not a valid root
   */
  public RootCA fetchRootCA(InetSocketAddress manager, String token)
      throws InvalidJoinTokenException, CertificateException {
    JoinToken parsed = JoinToken.parse(token);
    ManagedChannel channel = channel(manager, TlsContexts.bootstrapClient(), Roles.CA);
    try {
      byte[] pem = CAGrpc.newBlockingStub(channel)
          .withDeadlineAfter(options.rpcTimeout().toMillis(), TimeUnit.MILLISECONDS)
          .getRootCACertificate(GetRootCACertificateRequest.getDefaultInstance())
          .getCertificate().toByteArray();
      if (!parsed.matchesRoot(pem)) {
        throw new CertificateException("remote CA does not match fingerprint. Expected: " + parsed.rootDigestHex());
      }
      return RootCA.fromCertificate(pem);
    } finally {
      channel.shutdownNow();
    }
  }

  /**
   * Joins the swarm: fetches and checks the root, requests a certificate with {@code token}, saves
   * root, key and certificate under {@code files} and returns the node's security config.
   */
  public SecurityConfig join(InetSocketAddress manager, String token, NodeSpec.Availability availability,
      NodeCertificateFiles files) throws InvalidJoinTokenException, CertificateException, IOException {
    RootCA root = fetchRootCA(manager, token);
    KeyPair keyPair = NodeKeys.generateKeyPair();
    byte[] csr = NodeKeys.createCsr(keyPair);
    ReloadableTrustManager trust = new ReloadableTrustManager(root.certificate());
    // No client certificate yet; the server is verified against the checked root as "swarm-ca".
    SslContext tls = TlsContexts.client(new ReloadableKeyManager(), trust);
    byte[] certPem = request(manager, tls, Roles.CA, IssueNodeCertificateRequest.newBuilder()
        .setCsr(ByteString.copyFrom(csr)).setToken(token).setAvailability(availability).build());
    root.verifyPem(certPem);
    SecurityConfig config = SecurityConfig.of(root, Pem.encodePkcs8(keyPair.getPrivate()), certPem);
    if (files != null) {
      files.save(config);
    }
    log.info("joined swarm {} as {} node {}", config.identity().clusterId(), config.identity().role(),
        config.identity().nodeId());
    return config;
  }

  /**
   * Renews {@code current}'s certificate over mutual TLS with a fresh key; the role comes from the
   * node object on the manager. Saves the result (when {@code files} is given) and then swaps it into
   * {@code current}, so its TLS contexts use it for new handshakes.
   */
  public NodeIdentity renew(SecurityConfig current, InetSocketAddress manager, NodeCertificateFiles files)
      throws CertificateException, IOException {
    KeyPair keyPair = NodeKeys.generateKeyPair();
    byte[] csr = NodeKeys.createCsr(keyPair);
    byte[] certPem = request(manager, current.clientSslContext(), Roles.MANAGER,
        IssueNodeCertificateRequest.newBuilder().setCsr(ByteString.copyFrom(csr)).build());
    current.rootCA().verifyPem(certPem);
    byte[] keyPem = Pem.encodePkcs8(keyPair.getPrivate());
    if (files != null) {
      files.saveNode(keyPem, certPem);
    }
    current.update(keyPem, certPem);
    log.info("renewed node certificate: {} valid until {}", current.identity(), current.notAfter());
    return current.identity();
  }

  /** IssueNodeCertificate, then NodeCertificateStatus until our CSR's certificate is issued. */
  private byte[] request(InetSocketAddress manager, SslContext tls, String authority,
      IssueNodeCertificateRequest request) throws CertificateException {
    Instant deadline = Instant.now().plus(options.overallTimeout());
    ManagedChannel channel = channel(manager, tls, authority);
    try {
      NodeCAGrpc.NodeCABlockingStub stub = NodeCAGrpc.newBlockingStub(channel);
      IssueNodeCertificateResponse issued = stub
          .withDeadlineAfter(options.rpcTimeout().toMillis(), TimeUnit.MILLISECONDS)
          .issueNodeCertificate(request);
      NodeCertificateStatusRequest statusRequest =
          NodeCertificateStatusRequest.newBuilder().setNodeId(issued.getNodeId()).build();
      while (Instant.now().isBefore(deadline)) {
        NodeCertificateStatusResponse status;
        try {
          status = stub.withDeadlineAfter(options.rpcTimeout().toMillis(), TimeUnit.MILLISECONDS)
              .nodeCertificateStatus(statusRequest);
        } catch (StatusRuntimeException e) {
          if (e.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED) {
            continue;
          }
          throw e;
        }
        IssuanceStatus.State state = status.getStatus().getState();
        if (state == IssuanceStatus.State.FAILED) {
          throw new CertificateException("certificate issuance failed: " + status.getStatus().getErr());
        }
        if ((state == IssuanceStatus.State.ISSUED || state == IssuanceStatus.State.ROTATE)
            && Arrays.equals(status.getCertificate().getCsr().toByteArray(), request.getCsr().toByteArray())) {
          return status.getCertificate().getCertificate().toByteArray();
        }
        // A certificate for an older request: wait for ours.
        sleep(Duration.ofMillis(200));
      }
      throw new CertificateException("timed out waiting for the node certificate");
    } finally {
      channel.shutdownNow();
    }
  }

  static ManagedChannel channel(InetSocketAddress manager, SslContext tls, String authority) {
    return SecureChannels.builder(manager, tls, authority).build();
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw Status.CANCELLED.withDescription("interrupted").asRuntimeException();
    }
  }
}
