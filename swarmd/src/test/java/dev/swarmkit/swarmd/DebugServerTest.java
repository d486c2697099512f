package dev.swarmkit.swarmd;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DebugServerTest {

  @TempDir Path dir;
  private final HttpClient http = HttpClient.newHttpClient();
  private DebugServer server;

  @BeforeEach
  void start() throws Exception {
    server = DebugServer.start(new InetSocketAddress("127.0.0.1", 0));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void aBarePortListensOnLoopbackOnly() {
    assertThat(DebugServer.address("6060").getAddress().isLoopbackAddress()).isTrue();
    assertThat(DebugServer.address(":6060").getAddress().isLoopbackAddress()).isTrue();
    assertThat(DebugServer.address("0.0.0.0:6060").getAddress().isAnyLocalAddress()).isTrue();
  }

  @Test
  void threadDumpListsTheThreadsByName() throws Exception {
    Thread parked = new Thread(() -> {
      try {
        Thread.sleep(60_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "known-test-thread");
    parked.setDaemon(true);
    parked.start();
    try {
      HttpResponse<String> dump = get("/debug/threads");
      assertThat(dump.statusCode()).isEqualTo(200);
      assertThat(dump.body()).contains("\"known-test-thread\"", "\"debug-http\"", "java.lang.Thread.State");
    } finally {
      parked.interrupt();
    }
  }

  @Test
  void heapHistogramCountsInstancesByClass() throws Exception {
    HttpResponse<String> histogram = get("/debug/heap/histogram");
    assertThat(histogram.statusCode()).isEqualTo(200);
    assertThat(histogram.body()).contains("#instances", "java.lang.String");
    assertThat(histogram.body().lines().count()).isGreaterThan(10);
  }

  @Test
  void aJfrRecordingStartedAndStoppedComesBackAsAReadableFile() throws Exception {
    assertThat(post("/debug/jfr/stop").statusCode()).isEqualTo(409);
    assertThat(post("/debug/jfr/start").statusCode()).isEqualTo(200);
    assertThat(post("/debug/jfr/start").statusCode()).isEqualTo(409);
    Thread.sleep(200);

    Path file = dir.resolve("out.jfr");
    HttpResponse<Path> stopped = http.send(request("/debug/jfr/stop").POST(HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofFile(file));

    assertThat(stopped.statusCode()).isEqualTo(200);
    assertThat(Files.size(file)).isPositive();
    List<RecordedEvent> events = RecordingFile.readAllEvents(file);
    assertThat(events).isNotEmpty();
    assertThat(events).anyMatch(e -> e.getEventType().getName().equals("jdk.JVMInformation"));
  }

  @Test
  void stateChangingEndpointsWantPostAndUnknownPathsAreNotFound() throws Exception {
    assertThat(get("/debug/jfr/start").statusCode()).isEqualTo(405);
    assertThat(post("/debug/heap/histogram").statusCode()).isEqualTo(405);
    assertThat(get("/debug/nothing").statusCode()).isEqualTo(404);
    assertThat(post("/debug/jfr/start?settings=bogus").statusCode()).isEqualTo(400);
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(request(path).build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path) throws Exception {
    return http.send(request(path).POST(HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
