package dev.swarmkit.ca;

import com.google.protobuf.ByteString;
import dev.swarmkit.api.Annotations;
import dev.swarmkit.api.CAConfig;
import dev.swarmkit.api.Cluster;
import dev.swarmkit.api.ClusterSpec;
import dev.swarmkit.api.Node;
import dev.swarmkit.api.NodeRole;
import dev.swarmkit.identity.Identity;
import dev.swarmkit.store.MemoryStore;
import dev.swarmkit.store.Store;
import dev.swarmkit.store.Table;
import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.List;

/**
 * A manager's CA side for tests: a store with the cluster object (root CA, tokens), the first
 * manager's own certificate, and a Netty gRPC server on 127.0.0.1 with the CA services behind the
 * authorization interceptor.
 */
final class CaFixture implements AutoCloseable {

  final Store store;
  final String clusterId = Identity.newId();
  final RootCA root;
  final SecurityConfig manager;
  final Server server;

  CaFixture(Duration nodeCertExpiry, CAServer.Options options) throws IOException, CertificateException {
    this(new MemoryStore(), nodeCertExpiry, options);
  }

  CaFixture(Store store, Duration nodeCertExpiry, CAServer.Options options)
      throws IOException, CertificateException {
    this.store = store;
    dev.swarmkit.api.RootCA apiRoot = ClusterSecurity.newApiRootCA();
    root = ClusterSecurity.fromApi(apiRoot);
    Cluster cluster = Cluster.newBuilder()
        .setId(clusterId)
        .setSpec(ClusterSpec.newBuilder()
            .setAnnotations(Annotations.newBuilder().setName("default"))
            .setCaConfig(CAConfig.newBuilder().setNodeCertExpiry(com.google.protobuf.Duration.newBuilder()
                .setSeconds(nodeCertExpiry.getSeconds()).setNanos(nodeCertExpiry.getNano()))))
        .setRootCa(apiRoot)
        .build();
    manager = ClusterSecurity.issueLocally(root, Identity.newId(), NodeRole.MANAGER, clusterId, Duration.ofHours(2));
    Node managerNode = ClusterSecurity.nodeFor(manager);
    store.update(tx -> {
      tx.create(Table.CLUSTERS, cluster);
      tx.create(Table.NODES, managerNode);
    });
    AuthorizationInterceptor auth =
        AuthorizationInterceptor.forNode(manager, RemovedNodes.blacklistOf(store, clusterId));
    NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .sslContext(manager.serverSslContext());
    for (BindableService service : new CAServer(store, clusterId, options).services()) {
      builder.addService(ServerInterceptors.intercept(service, auth));
    }
    server = builder.build().start();
  }

  InetSocketAddress address() {
    return new InetSocketAddress("127.0.0.1", server.getPort());
  }

  Cluster cluster() {
    return store.view(tx -> tx.get(Table.CLUSTERS, clusterId)).orElseThrow();
  }

  String workerToken() {
    return cluster().getRootCa().getJoinTokens().getWorker();
  }

  String managerToken() {
    return cluster().getRootCa().getJoinTokens().getManager();
  }

  List<Node> nodes() {
    return store.view(tx -> tx.all(Table.NODES));
  }

  void updateCluster(java.util.function.UnaryOperator<Cluster> change) {
    store.update(tx -> tx.update(Table.CLUSTERS, change.apply(tx.get(Table.CLUSTERS, clusterId).orElseThrow())));
  }

  void updateNode(String nodeId, java.util.function.UnaryOperator<Node> change) {
    store.update(tx -> tx.update(Table.NODES, change.apply(tx.get(Table.NODES, nodeId).orElseThrow())));
  }

  /** A client key/cert for {@code nodeId} from this root with arbitrary subject and validity. */
  SecurityConfig certificate(String nodeId, String ou, String org, Duration expiry, Duration backdate)
      throws Exception {
    var key = NodeKeys.generateKeyPair();
    byte[] cert = root.signCsr(NodeKeys.createCsr(key), nodeId, ou, org, expiry, backdate);
    return SecurityConfig.of(RootCA.fromCertificate(root.certPem()), Pem.encodePkcs8(key.getPrivate()), cert);
  }

  static ByteString bytes(byte[] b) {
    return ByteString.copyFrom(b);
  }

  @Override
  public void close() {
    server.shutdownNow();
  }
}
