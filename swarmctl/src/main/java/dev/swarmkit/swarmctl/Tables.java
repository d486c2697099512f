package dev.swarmkit.swarmctl;

import dev.swarmkit.swarmctl.text.TabWriter;
import java.util.Arrays;

/** Upstream's table header: the column names, then each underlined with dashes. */
public final class Tables {
    private Tables() {
    }

    public static void header(TabWriter w, String... columns) {
        w.row((Object[]) columns);
        w.row(Arrays.stream(columns).map(c -> "-".repeat(c.length())).toArray());
    }
}
