package dev.swarmkit.swarmctl.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GoDurationsTest {
    @ParameterizedTest
    @CsvSource({
        "0, 0s",
        "1, 1ns",
        "1100, 1.1µs",
        "2200000, 2.2ms",
        "1000000000, 1s",
        "1500000000, 1.5s",
        "5000000000, 5s",
        "90000000000, 1m30s",
        "7776000000000000, 2160h0m0s",
        "3600000000000, 1h0m0s",
        "-5000000000, -5s",
    })
    void formatsLikeGo(long nanos, String text) {
        assertThat(GoDurations.format(nanos)).isEqualTo(text);
    }

    @ParameterizedTest
    @CsvSource({
        "0, 0",
        "5s, 5000000000",
        "1m30s, 90000000000",
        "1.5h, 5400000000000",
        "300ms, 300000000",
        "2h45m, 9900000000000",
        "-1.5s, -1500000000",
        "10us, 10000",
        ".5s, 500000000",
    })
    void parsesLikeGo(String text, long nanos) {
        assertThat(GoDurations.parse(text)).isEqualTo(nanos);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "soon|time: invalid duration \"soon\"",
        "5|time: missing unit in duration \"5\"",
        "5d|time: unknown unit \"d\" in duration \"5d\"",
        "|time: invalid duration \"\"",
    })
    void rejectsWhatGoRejects(String text, String message) {
        assertThatThrownBy(() -> GoDurations.parse(text == null ? "" : text))
                .isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }
}
