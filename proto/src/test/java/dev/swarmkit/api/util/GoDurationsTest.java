package dev.swarmkit.api.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Positive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Go's own table of time.ParseDuration and Duration.String cases (time_test.go), and the round trip. */
class GoDurationsTest {
  private static final long US = 1_000L;
  private static final long MS = 1_000_000L;
  private static final long S = 1_000_000_000L;
  private static final long M = 60 * S;
  private static final long H = 60 * M;

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', value = {
      "0|0",
      "5s|5000000000",
      "30s|30000000000",
      "1478s|1478000000000",
      "-5s|-5000000000",
      "+5s|5000000000",
      "-0|0",
      "+0|0",
      "5.0s|5000000000",
      "5.6s|5600000000",
      "5.s|5000000000",
      ".5s|500000000",
      "1.0s|1000000000",
      "1.00s|1000000000",
      "1.004s|1004000000",
      "1.0040s|1004000000",
      "100.00100s|100001000000",
      "10ns|10",
      "11us|11000",
      "12\u00b5s|12000",
      "12\u03bcs|12000",
      "13ms|13000000",
      "14s|14000000000",
      "15m|900000000000",
      "16h|57600000000000",
      "52763797000ns|52763797000",
      "9007199254740993ns|9007199254740993",
      "9223372036854775807ns|9223372036854775807",
      "9223372036854775.807us|9223372036854775807",
      "9223372036s854ms775us807ns|9223372036854775807",
      "-9223372036854775808ns|-9223372036854775808",
      "-9223372036854775.808us|-9223372036854775808",
      "-9223372036s854ms775us808ns|-9223372036854775808",
      "-2562047h47m16.854775808s|-9223372036854775808",
  })
  void parsesGosSimpleAndExtremeCases(String text, long nanos) {
    assertThat(GoDurations.parse(text)).isEqualTo(nanos);
  }

  @Test
  void parsesCompositeAndFractionalDurationsAsGoDoes() {
    assertThat(GoDurations.parse("3h30m")).isEqualTo(3 * H + 30 * M);
    assertThat(GoDurations.parse("10.5s4m")).isEqualTo(4 * M + 10 * S + 500 * MS);
    assertThat(GoDurations.parse("-2m3.4s")).isEqualTo(-(2 * M + 3 * S + 400 * MS));
    assertThat(GoDurations.parse("1h2m3s4ms5us6ns")).isEqualTo(H + 2 * M + 3 * S + 4 * MS + 5 * US + 6);
    assertThat(GoDurations.parse("39h9m14.425s")).isEqualTo(39 * H + 9 * M + 14 * S + 425 * MS);
    assertThat(GoDurations.parse("0.3333333333333333333h")).isEqualTo(20 * M);
    assertThat(GoDurations.parse("0.100000000000000000000h")).isEqualTo(6 * M);
    assertThat(GoDurations.parse("0.830103483285477580700h")).isEqualTo(49 * M + 48 * S + 372539827);
    assertThat(GoDurations.parse("1.5s")).isEqualTo(1500 * MS);
    assertThat(GoDurations.parse("1h30m")).isEqualTo(90 * M);
    assertThat(GoDurations.parse("300ms")).isEqualTo(300 * MS);
    assertThat(GoDurations.parse("-1.5h")).isEqualTo(-90 * M);
    assertThat(GoDurations.parse("2us")).isEqualTo(2 * US);
    assertThat(GoDurations.parse("2\u00b5s")).isEqualTo(2 * US);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', value = {
      "''|time: invalid duration \"\"",
      "3|time: missing unit in duration \"3\"",
      "1|time: missing unit in duration \"1\"",
      "-|time: invalid duration \"-\"",
      "s|time: invalid duration \"s\"",
      ".|time: invalid duration \".\"",
      "-.|time: invalid duration \"-.\"",
      ".s|time: invalid duration \".s\"",
      "+.s|time: invalid duration \"+.s\"",
      "abc|time: invalid duration \"abc\"",
      "1d|time: unknown unit \"d\" in duration \"1d\"",
      "1x|time: unknown unit \"x\" in duration \"1x\"",
      "5 s|time: unknown unit \" s\" in duration \"5 s\"",
      "\ufffd|time: invalid duration \"\\xef\\xbf\\xbd\"",
      "1\u00e9|time: unknown unit \"\\xc3\\xa9\" in duration \"1\\xc3\\xa9\"",
      "9223372036854775810ns|time: invalid duration \"9223372036854775810ns\"",
      "9223372036854775808ns|time: invalid duration \"9223372036854775808ns\"",
      "-9223372036854775809ns|time: invalid duration \"-9223372036854775809ns\"",
      "9223372036854776us|time: invalid duration \"9223372036854776us\"",
      "3000000h|time: invalid duration \"3000000h\"",
      "9223372036854775.808us|time: invalid duration \"9223372036854775.808us\"",
      "9223372036854ms775us808ns|time: invalid duration \"9223372036854ms775us808ns\"",
  })
  void refusesWhatGoRefusesWithGosMessage(String text, String message) {
    assertThatThrownBy(() -> GoDurations.parse(text))
        .isInstanceOf(IllegalArgumentException.class).hasMessage(message);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', value = {
      "0s|0",
      "1ns|1",
      "1.1\u00b5s|1100",
      "2.2ms|2200000",
      "3.3s|3300000000",
      "4m5s|245000000000",
      "4m5.001s|245001000000",
      "5h6m7.001s|18367001000000",
      "8m0.000000001s|480000000001",
      "2562047h47m16.854775807s|9223372036854775807",
      "-2562047h47m16.854775808s|-9223372036854775808",
      "2160h0m0s|7776000000000000",
      "1h0m0s|3600000000000",
      "1m30s|90000000000",
      "1.5s|1500000000",
      "300ms|300000000",
      "-5s|-5000000000",
  })
  void formatsAsGosDurationString(String text, long nanos) {
    assertThat(GoDurations.format(nanos)).isEqualTo(text);
  }

  @Test
  void convertsBetweenProtobufJavaAndNanos() {
    assertThat(GoDurations.format(GoDurations.parseProto("-1.5s"))).isEqualTo("-1.5s");
    assertThat(GoDurations.parseProto("-1.5s").getSeconds()).isEqualTo(-1);
    assertThat(GoDurations.parseProto("-1.5s").getNanos()).isEqualTo(-500_000_000);
    assertThat(GoDurations.parseDuration("1h30m")).isEqualTo(java.time.Duration.ofMinutes(90));
    assertThat(GoDurations.toJava(GoDurations.toProto(java.time.Duration.ofMillis(1500))))
        .isEqualTo(java.time.Duration.ofMillis(1500));
    assertThat(GoDurations.format(java.time.Duration.ofHours(2160))).isEqualTo("2160h0m0s");
  }

  @Property
  void everyFormattedDurationParsesBackToItself(@ForAll long nanos) {
    assertThat(GoDurations.parse(GoDurations.format(nanos))).isEqualTo(nanos);
  }

  @Property
  void formattingIsSymmetricInSign(@ForAll @Positive long nanos) {
    assertThat(GoDurations.format(-nanos)).isEqualTo("-" + GoDurations.format(nanos));
  }
}
