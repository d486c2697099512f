package dev.swarmkit.swarmctl.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Timestamp;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HumanUnitsTest {
    private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");

    @ParameterizedTest
    @CsvSource({
        "0, now",
        "1, 1 second ago",
        "15, 15 seconds ago",
        "60, 1 minute ago",
        "660, 11 minutes ago",
        "3600, 1 hour ago",
        "7200, 2 hours ago",
        "86400, 1 day ago",
        "1209600, 2 weeks ago",
        "5184000, 2 months ago",
        "-30, 30 seconds from now",
    })
    void relativeTimesReadLikeGoHumanize(long secondsAgo, String text) {
        Instant then = NOW.minusSeconds(secondsAgo);
        Timestamp ts = Timestamp.newBuilder().setSeconds(then.getEpochSecond()).build();
        assertThat(HumanUnits.ago(ts, NOW)).isEqualTo(text);
    }

    @ParameterizedTest
    @CsvSource({
        "7, 7 B",
        "1024, 1.0 KiB",
        "1536, 1.5 KiB",
        "536870912, 512 MiB",
        "25769803776, 24 GiB",
    })
    void iecBytes(long bytes, String text) {
        assertThat(HumanUnits.iBytes(bytes)).isEqualTo(text);
    }

    @ParameterizedTest
    @CsvSource({
        "100, 100",
        "512m, 536870912",
        "512MiB, 536870912",
        "1g, 1073741824",
        "1.5k, 1536",
        "2 GB, 2147483648",
    })
    void memorySizesUseBinaryMultipliers(String text, long bytes) {
        assertThat(HumanUnits.ramInBytes(text)).isEqualTo(bytes);
    }

    @ParameterizedTest
    @CsvSource({"lots", "12x", "-1m"})
    void invalidMemorySizes(String text) {
        assertThatThrownBy(() -> HumanUnits.ramInBytes(text)).hasMessage("invalid size: '" + text + "'");
    }
}
