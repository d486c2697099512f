package dev.swarmkit.it;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import dev.swarmkit.api.Cluster;
import dev.swarmkit.ca.ClusterSecurity;
import dev.swarmkit.ca.NodeIdentity;
import dev.swarmkit.ca.NodeKeys;
import dev.swarmkit.ca.Pem;
import dev.swarmkit.ca.ReloadableKeyManager;
import dev.swarmkit.ca.ReloadableTrustManager;
import dev.swarmkit.ca.RootCA;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;

/**
 * A CFSSL-protocol signer for tests: HTTPS on localhost with a certificate of the swarm root, client
 * certificates required, signing each request with the swarm root key as a CFSSL server holding that
 * key would. Records what it signed and who asked.
 */
final class CfsslTestSigner implements AutoCloseable {

  private final HttpsServer server;
  private final List<BigInteger> signed = new CopyOnWriteArrayList<>();
  private final List<NodeIdentity> callers = new CopyOnWriteArrayList<>();

  private CfsslTestSigner(HttpsServer server) {
    this.server = server;
  }

  static CfsslTestSigner start(Cluster cluster) throws Exception {
    RootCA root = ClusterSecurity.fromApi(cluster.getRootCa());
    KeyPair key = NodeKeys.generateKeyPair();
    // CN "localhost" becomes a DNS SAN, so the manager's HTTPS host check passes.
    X509Certificate cert = Pem.decodeCertificates(root.signCsr(NodeKeys.createCsr(key), "localhost", "cfssl",
        cluster.getId(), Duration.ofHours(1))).get(0);
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(new KeyManager[] {new ReloadableKeyManager(key.getPrivate(), cert)},
        new TrustManager[] {new ReloadableTrustManager(root.certificate())}, null);
    HttpsServer server = HttpsServer.create(new InetSocketAddress("localhost", 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(tls) {
      @Override
      public void configure(HttpsParameters params) {
        SSLParameters p = tls.getDefaultSSLParameters();
        p.setNeedClientAuth(true);
        params.setSSLParameters(p);
      }
    });
    CfsslTestSigner signer = new CfsslTestSigner(server);
    server.createContext("/api/v1/cfssl/sign", exchange -> signer.sign(root, (HttpsExchange) exchange));
    server.start();
    return signer;
  }

  private void sign(RootCA root, HttpsExchange exchange) throws IOException {
    String response;
    try {
      callers.add(NodeIdentity.fromCertificate(
          (X509Certificate) exchange.getSSLSession().getPeerCertificates()[0]));
      JsonObject request = JsonParser.parseString(
          new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)).getAsJsonObject();
      JsonObject subject = request.getAsJsonObject("subject");
      JsonObject name = subject.getAsJsonArray("names").get(0).getAsJsonObject();
      byte[] cert = root.signCsr(request.get("certificate_request").getAsString().getBytes(StandardCharsets.US_ASCII),
          subject.get("CN").getAsString(), name.get("OU").getAsString(), name.get("O").getAsString(),
          Duration.ofHours(24));
      signed.add(Pem.decodeCertificates(cert).get(0).getSerialNumber());
      JsonObject result = new JsonObject();
      result.addProperty("certificate", new String(cert, StandardCharsets.US_ASCII));
      JsonObject ok = new JsonObject();
      ok.addProperty("success", true);
      ok.add("result", result);
      ok.add("errors", new com.google.gson.JsonArray());
      response = ok.toString();
    } catch (Exception e) {
      response = "{\"success\":false,\"errors\":[{\"code\":400,\"message\":\"" + e.getMessage() + "\"}]}";
    }
    byte[] body = response.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(200, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  String url() {
    return "https://localhost:" + server.getAddress().getPort() + "/api/v1/cfssl/sign";
  }

  List<BigInteger> signedSerials() {
    return List.copyOf(signed);
  }

  List<NodeIdentity> callers() {
    return List.copyOf(callers);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
