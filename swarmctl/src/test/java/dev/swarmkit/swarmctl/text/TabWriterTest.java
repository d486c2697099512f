package dev.swarmkit.swarmctl.text;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TabWriterTest {
    private static String format(int minWidth, int padding, String text) {
        StringBuilder out = new StringBuilder();
        TabWriter w = new TabWriter(out, minWidth, padding);
        w.print(text);
        w.flush();
        return out.toString();
    }

    @Test
    void columnsAreAsWideAsTheirWidestCellPlusPadding() {
        assertThat(format(0, 2, "a\tbbb\tc\nlonger\tb\tc\n")).isEqualTo("""
                a       bbb  c
                longer  b    c
                """);
    }

    @Test
    void theTextAfterTheLastTabBelongsToNoColumnButPaddedCellsKeepTrailingSpaces() {
        assertThat(format(0, 2, "a\tb\nccc\t\n")).isEqualTo("a    b\nccc  \n");
    }

    @Test
    void aLineWithoutTabsEndsTheColumnBlock() {
        assertThat(format(0, 1, "a\tx\nheading\nlonger\tx\n")).isEqualTo("a x\nheading\nlonger x\n");
    }

    @Test
    void cellsNarrowerThanMinWidthArePaddedUpToIt() {
        assertThat(format(8, 1, "ID\t: 1\n")).isEqualTo("ID      : 1\n");
    }

    @Test
    void aLineWithFewerCellsSplitsTheBlocksOfTheColumnsItLacks() {
        // Line 2 has no tab-terminated second cell, so lines 1 and 3 align their second columns separately.
        assertThat(format(0, 1, "a\tb\tc\nd\te\nf\tgggg\th\n")).isEqualTo("a b c\nd e\nf gggg h\n");
        assertThat(format(0, 1, "a\tb\tc\nd\te\t\nf\tgggg\th\n")).isEqualTo("a b    c\nd e    \nf gggg h\n");
    }

    @Test
    void widthCountsCharactersNotBytes() {
        assertThat(format(0, 1, "é\tx\nab\tx\n")).isEqualTo("é  x\nab x\n");
    }
}
