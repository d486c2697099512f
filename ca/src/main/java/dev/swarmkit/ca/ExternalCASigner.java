package dev.swarmkit.ca;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.swarmkit.api.ExternalCA;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;

/**
 * Has node certificates signed by external CAs speaking CFSSL's sign API (upstream's ca/external.go):
 * a JSON sign request (CSR, subject CN = node ID, OU = role, O = cluster ID, hosts) POSTed over TLS
 * to each URL in turn until one signs. The manager authenticates with its own certificate and trusts
 * only servers whose certificate chains to the swarm root.
 */
public final class ExternalCASigner {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final HttpClient client;

  public ExternalCASigner(SecurityConfig security) {
    this(security.keyManager(), security.trustManager());
  }

  ExternalCASigner(KeyManager keyManager, TrustManager trustManager) {
    try {
      SSLContext tls = SSLContext.getInstance("TLS");
      tls.init(new KeyManager[] {keyManager}, new TrustManager[] {trustManager}, null);
      this.client = HttpClient.newBuilder().sslContext(tls).connectTimeout(TIMEOUT).build();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot set up TLS for external CAs", e);
    }
  }

  /** Thrown when no external CA signed: every URL was unreachable or refused. */
  public static final class SigningException extends Exception {
    SigningException(String message) {
      super(message);
    }
  }

  /** Signs {@code csrPem} through the first of {@code cas} that answers; returns the certificate PEM. */
  public byte[] sign(List<ExternalCA> cas, byte[] csrPem, String cn, String ou, String org)
      throws SigningException {
    String body = request(csrPem, cn, ou, org).toString();
    List<String> failures = new ArrayList<>();
    for (ExternalCA ca : cas) {
      try {
        return signAt(ca.getUrl(), body);
      } catch (IOException e) {
        failures.add(ca.getUrl() + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SigningException("interrupted while waiting for the external CA");
      }
    }
    throw new SigningException("external CA: unable to sign the node certificate: " + String.join("; ", failures));
  }

  private byte[] signAt(String url, String body) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create(url))
        .timeout(TIMEOUT)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
    HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
    JsonObject json;
    try {
      json = JsonParser.parseString(response.body()).getAsJsonObject();
    } catch (RuntimeException e) {
      throw new IOException("HTTP " + response.statusCode() + " with a body that is no CFSSL response");
    }
    if (!json.has("success") || !json.get("success").getAsBoolean()) {
      throw new IOException("signing refused: " + errors(json));
    }
    JsonElement cert = json.has("result") && json.get("result").isJsonObject()
        ? json.getAsJsonObject("result").get("certificate") : null;
    if (cert == null || cert.getAsString().isEmpty()) {
      throw new IOException("no certificate in the CFSSL response");
    }
    return cert.getAsString().getBytes(StandardCharsets.US_ASCII);
  }

  /** CFSSL's SignRequest as upstream's PrepareCSR fills it. */
  static JsonObject request(byte[] csrPem, String cn, String ou, String org) {
    JsonArray hosts = new JsonArray();
    hosts.add(ou);
    hosts.add(cn);
    if (Roles.MANAGER.equals(ou)) {
      hosts.add(Roles.CA);
    }
    JsonObject name = new JsonObject();
    name.addProperty("OU", ou);
    name.addProperty("O", org);
    JsonArray names = new JsonArray();
    names.add(name);
    JsonObject subject = new JsonObject();
    subject.addProperty("CN", cn);
    subject.add("names", names);
    JsonObject request = new JsonObject();
    request.add("hosts", hosts);
    request.addProperty("certificate_request", new String(csrPem, StandardCharsets.US_ASCII));
    request.add("subject", subject);
    return request;
  }

  private static String errors(JsonObject json) {
    if (!json.has("errors") || !json.get("errors").isJsonArray() || json.getAsJsonArray("errors").isEmpty()) {
      return "no reason given";
    }
    List<String> messages = new ArrayList<>();
    for (JsonElement e : json.getAsJsonArray("errors")) {
      messages.add(e.isJsonObject() && e.getAsJsonObject().has("message")
          ? e.getAsJsonObject().get("message").getAsString() : e.toString());
    }
    return String.join(", ", messages);
  }
}
