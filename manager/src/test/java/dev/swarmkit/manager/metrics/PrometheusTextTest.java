package dev.swarmkit.manager.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.swarmkit.manager.metrics.MetricFamily.Sample;
import dev.swarmkit.manager.metrics.MetricFamily.Type;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {

  @Test
  void eachFamilyHasHelpAndTypeLinesThenOneLinePerSample() {
    String text = PrometheusText.write(List.of(
        new MetricFamily("swarm_manager_nodes", "The number of nodes", Type.GAUGE, List.of(
            new Sample(Map.of("state", "ready"), 2), new Sample(Map.of("state", "down"), 0))),
        new MetricFamily("requests_total", "Requests served", Type.COUNTER,
            List.of(new Sample(Map.of(), 1.5)))));

    assertThat(text).isEqualTo("""
        # HELP swarm_manager_nodes The number of nodes
        # TYPE swarm_manager_nodes gauge
        swarm_manager_nodes{state="ready"} 2
        swarm_manager_nodes{state="down"} 0
        # HELP requests_total Requests served
        # TYPE requests_total counter
        requests_total 1.5
        """);
  }

  @Test
  void labelValuesEscapeBackslashQuoteAndNewlineAndLabelsAreSorted() {
    String text = PrometheusText.write(List.of(new MetricFamily("m", "a \\ help\nline", Type.GAUGE,
        List.of(new Sample(Map.of("b", "say \"hi\"", "a", "back\\slash\nnext"), 3)))));

    assertThat(text).isEqualTo("""
        # HELP m a \\\\ help\\nline
        # TYPE m gauge
        m{a="back\\\\slash\\nnext",b="say \\"hi\\""} 3
        """);
  }

  @Test
  void specialValuesUseTheFormatsSpelling() {
    assertThat(PrometheusText.formatValue(Double.NaN)).isEqualTo("NaN");
    assertThat(PrometheusText.formatValue(Double.POSITIVE_INFINITY)).isEqualTo("+Inf");
    assertThat(PrometheusText.formatValue(Double.NEGATIVE_INFINITY)).isEqualTo("-Inf");
    assertThat(PrometheusText.formatValue(-4)).isEqualTo("-4");
    assertThat(PrometheusText.formatValue(0.25)).isEqualTo("0.25");
  }

  @Test
  void invalidMetricNamesAreRefused() {
    assertThatThrownBy(() -> MetricFamily.gauge("swarm-nodes", "h", 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("swarm-nodes");
  }
}
