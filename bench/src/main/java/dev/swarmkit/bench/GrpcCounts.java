package dev.swarmkit.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A manager's gRPC server counters (calls started, messages received and sent, per method) read from
 * its {@code /metrics}, so a run can say how many calls and messages each task cost.
 */
record GrpcCounts(Map<String, long[]> byMethod) {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final Pattern SERIES = Pattern.compile(
      "^grpc_server_(started|msg_received|msg_sent)_total\\{([^}]*)} ([0-9.eE+]+)$");
  private static final Pattern LABEL = Pattern.compile("(grpc_service|grpc_method)=\"([^\"]*)\"");

  static GrpcCounts scrape(String address) throws IOException, InterruptedException {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + address + "/metrics"))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    Map<String, long[]> out = new TreeMap<>();
    for (String line : r.body().split("\n")) {
      Matcher m = SERIES.matcher(line);
      if (!m.matches()) {
        continue;
      }
      String service = "";
      String method = "";
      Matcher l = LABEL.matcher(m.group(2));
      while (l.find()) {
        if (l.group(1).equals("grpc_service")) {
          service = l.group(2).substring(l.group(2).lastIndexOf('.') + 1);
        } else {
          method = l.group(2);
        }
      }
      int column = switch (m.group(1)) {
        case "started" -> 0;
        case "msg_received" -> 1;
        default -> 2;
      };
      out.computeIfAbsent(service + "/" + method, k -> new long[3])[column] += (long) Double.parseDouble(m.group(3));
    }
    return new GrpcCounts(out);
  }

  /** Per method with any traffic since {@code before}: calls, messages in, messages out, each per task. */
  String perUnitSince(GrpcCounts before, int units, String unit) {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, long[]> e : byMethod.entrySet()) {
      long[] b = before.byMethod.getOrDefault(e.getKey(), new long[3]);
      long calls = e.getValue()[0] - b[0];
      long in = e.getValue()[1] - b[1];
      long out = e.getValue()[2] - b[2];
      if (calls + in + out == 0) {
        continue;
      }
      sb.append(String.format("%n    %-40s calls %7d (%.3f/%s)  in %7d (%.3f)  out %7d (%.3f)", e.getKey(),
          calls, (double) calls / units, unit, in, (double) in / units, out, (double) out / units));
    }
    return sb.toString();
  }
}
