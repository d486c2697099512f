package dev.swarmkit.swarmd;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.management.JMException;
import javax.management.ObjectName;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * swarmd's --listen-debug endpoint, the JVM's counterpart of the pprof handlers upstream serves:
 * {@code GET /debug/threads} (thread dump), {@code GET /debug/heap/histogram} (class histogram of
 * the live heap), {@code POST /debug/jfr/start} and {@code POST /debug/jfr/stop} (a Flight Recorder
 * recording; stop answers with the .jfr file). Plain HTTP with no authentication, so it listens on
 * loopback unless given a host.
 */
public final class DebugServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(DebugServer.class);
  private static final String TEXT = "text/plain; charset=utf-8";
  private static final String INDEX = """
      GET  /debug/threads          thread dump
      GET  /debug/heap/histogram   class histogram of the live heap (runs a full GC)
      POST /debug/jfr/start        start a Flight Recorder recording (?settings=default|profile)
      POST /debug/jfr/stop         stop it; the response is the .jfr file
      """;

  private final HttpServer server;
  private final ExecutorService executor;
  private Recording recording;

  private DebugServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * The address of a --listen-debug value: {@code host:port} as given, a bare {@code port} or
   * {@code :port} on 127.0.0.1.
   */
  static InetSocketAddress address(String flag) {
    if (flag.matches("[0-9]+")) {
      return Addresses.parse("127.0.0.1:" + flag, "--listen-debug");
    }
    if (flag.startsWith(":")) {
      return Addresses.parse("127.0.0.1" + flag, "--listen-debug");
    }
    return Addresses.parse(flag, "--listen-debug");
  }

  public static DebugServer start(InetSocketAddress address) throws IOException {
    HttpServer http = HttpServer.create(address, 0);
    // One thread: requests are rare, and a heap histogram or JFR dump should not run twice at once.
    ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "debug-http");
      t.setDaemon(true);
      return t;
    });
    http.setExecutor(executor);
    DebugServer debug = new DebugServer(http, executor);
    http.createContext("/debug", debug::handle);
    http.start();
    log.info("serving debug endpoints on http://{}:{}/debug/", address.getHostString(), debug.port());
    return debug;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      String method = exchange.getRequestMethod();
      try {
        switch (path) {
          case "/debug", "/debug/" -> {
            if (allowed(exchange, method, "GET")) {
              send(exchange, 200, TEXT, INDEX);
            }
          }
          case "/debug/threads" -> {
            if (allowed(exchange, method, "GET")) {
              send(exchange, 200, TEXT, diagnosticCommand("threadPrint", "-l"));
            }
          }
          case "/debug/heap/histogram" -> {
            if (allowed(exchange, method, "GET")) {
              send(exchange, 200, TEXT, diagnosticCommand("gcClassHistogram"));
            }
          }
          case "/debug/jfr/start" -> {
            if (allowed(exchange, method, "POST")) {
              startRecording(exchange);
            }
          }
          case "/debug/jfr/stop" -> {
            if (allowed(exchange, method, "POST")) {
              stopRecording(exchange);
            }
          }
          default -> send(exchange, 404, TEXT, "not found\n" + INDEX);
        }
      } catch (JMException | ParseException | RuntimeException e) {
        log.warn("debug request {} failed", path, e);
        send(exchange, 500, TEXT, e + "\n");
      }
    }
  }

  private synchronized void startRecording(HttpExchange exchange) throws IOException, ParseException {
    if (recording != null) {
      send(exchange, 409, TEXT, "a recording is already running; stop it first\n");
      return;
    }
    String query = exchange.getRequestURI().getQuery();
    String settings = "default";
    if (query != null && !query.isEmpty()) {
      if (!query.matches("settings=(default|profile)")) {
        send(exchange, 400, TEXT, "the only parameter is settings=default|profile\n");
        return;
      }
      settings = query.substring("settings=".length());
    }
    Recording r = new Recording(Configuration.getConfiguration(settings));
    r.setName("swarmd-debug");
    r.start();
    recording = r;
    log.info("started a JFR recording ({} settings)", settings);
    send(exchange, 200, TEXT, "recording started (" + settings + ")\n");
  }

  private synchronized void stopRecording(HttpExchange exchange) throws IOException {
    if (recording == null) {
      send(exchange, 409, TEXT, "no recording is running\n");
      return;
    }
    Recording r = recording;
    recording = null;
    Path file = Files.createTempFile("swarmd-", ".jfr");
    try {
      r.stop();
      r.dump(file);
      r.close();
      exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
      exchange.getResponseHeaders().set("Content-Disposition", "attachment; filename=\"swarmd.jfr\"");
      exchange.sendResponseHeaders(200, Files.size(file));
      try (OutputStream out = exchange.getResponseBody()) {
        Files.copy(file, out);
      }
      log.info("stopped the JFR recording");
    } finally {
      Files.deleteIfExists(file);
    }
  }

  /** Runs a jcmd command in this JVM through the DiagnosticCommand MBean. */
  private static String diagnosticCommand(String operation, String... args) throws JMException {
    ObjectName name = new ObjectName("com.sun.management:type=DiagnosticCommand");
    return (String) ManagementFactory.getPlatformMBeanServer().invoke(name, operation,
        new Object[] {args}, new String[] {String[].class.getName()});
  }

  private static boolean allowed(HttpExchange exchange, String method, String expected) throws IOException {
    if (method.equals(expected)) {
      return true;
    }
    exchange.getResponseHeaders().set("Allow", expected);
    send(exchange, 405, TEXT, "use " + expected + "\n");
    return false;
  }

  private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  @Override
  public synchronized void close() {
    server.stop(0);
    executor.shutdownNow();
    if (recording != null) {
      recording.close();
      recording = null;
    }
  }
}
