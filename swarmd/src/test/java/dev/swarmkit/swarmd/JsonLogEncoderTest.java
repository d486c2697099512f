package dev.swarmkit.swarmd;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonLogEncoderTest {

  private final LoggerContext context = new LoggerContext();
  private final Logger logger = context.getLogger("dev.swarmkit.manager.dispatcher.Dispatcher");
  private final JsonLogEncoder encoder = new JsonLogEncoder();
  private final ObjectMapper json = new ObjectMapper();

  @Test
  void eachEventIsOneJsonObjectOnOneLineWithLogrusKeys() throws Exception {
    LoggingEvent event = new LoggingEvent("fqcn", logger, Level.WARN, "node {} is down", null, new Object[] {"n1"});
    event.setMDCPropertyMap(Map.of("node.id", "abc123"));

    String line = new String(encoder.encode(event), StandardCharsets.UTF_8);

    assertThat(line).endsWith("}\n").doesNotContain("\n}").hasLineCount(1);
    JsonNode parsed = json.readTree(line);
    assertThat(parsed.get("level").asText()).isEqualTo("warning");
    assertThat(parsed.get("msg").asText()).isEqualTo("node n1 is down");
    assertThat(parsed.get("node.id").asText()).isEqualTo("abc123");
    assertThat(parsed.get("module").asText()).isEqualTo("Dispatcher");
    assertThat(parsed.get("logger").asText()).isEqualTo("dev.swarmkit.manager.dispatcher.Dispatcher");
    assertThat(OffsetDateTime.parse(parsed.get("time").asText()).toInstant().toEpochMilli())
        .isEqualTo(event.getTimeStamp());
  }

  @Test
  void quotesBackslashesControlCharactersAndStackTracesAreEscaped() throws Exception {
    String nasty = "say \"hi\"\\ \n\ttab \u0001 bell \u2028 ünïcødé";
    LoggingEvent event = new LoggingEvent("fqcn", logger, Level.ERROR, nasty, new IllegalStateException("boom\n!"),
        null);
    event.setMDCPropertyMap(Map.of());

    String line = new String(encoder.encode(event), StandardCharsets.UTF_8);

    assertThat(line).hasLineCount(1);
    JsonNode parsed = json.readTree(line);
    assertThat(parsed.get("msg").asText()).isEqualTo(nasty);
    assertThat(parsed.get("level").asText()).isEqualTo("error");
    assertThat(parsed.get("error").asText()).contains("java.lang.IllegalStateException: boom\n!", "at dev.swarmkit");
  }
}
