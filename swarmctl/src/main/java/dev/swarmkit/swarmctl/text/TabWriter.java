package dev.swarmkit.swarmctl.text;

import java.util.ArrayList;
import java.util.List;

/**
 * Elastic tabstops with the semantics of Go's text/tabwriter (space padding, left aligned), so tables
 * line up byte for byte with upstream swarmctl: a cell is text terminated by a tab, the text after
 * the last tab of a line belongs to no column, and a column block is a run of consecutive lines that
 * all have a tab-terminated cell in that column. Each padded cell is widened to
 * {@code max(minWidth, widest cell in its block + padding)}.
 */
public final class TabWriter {
    private final StringBuilder out;
    private final int minWidth;
    private final int padding;
    private final StringBuilder pending = new StringBuilder();

    public TabWriter(StringBuilder out, int minWidth, int padding) {
        this.out = out;
        this.minWidth = minWidth;
        this.padding = padding;
    }

    /** Go's {@code tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)} used by every ls table. */
    public static TabWriter forList(StringBuilder out) {
        return new TabWriter(out, 0, 2);
    }

    /** Go's {@code tabwriter.NewWriter(w, 8, 8, 8, ' ', 0)} used by the inspect summaries. */
    public static TabWriter forSummary(StringBuilder out) {
        return new TabWriter(out, 8, 8);
    }

    public TabWriter print(String text) {
        pending.append(text);
        return this;
    }

    public TabWriter printf(String format, Object... args) {
        pending.append(String.format(format, args));
        return this;
    }

    public TabWriter println(String text) {
        pending.append(text).append('\n');
        return this;
    }

    /** Writes a tab-separated row followed by a newline. */
    public TabWriter row(Object... cells) {
        for (int i = 0; i < cells.length; i++) {
            if (i > 0) {
                pending.append('\t');
            }
            pending.append(cells[i]);
        }
        pending.append('\n');
        return this;
    }

    /** Formats everything written so far into the output. */
    public void flush() {
        String text = pending.toString();
        pending.setLength(0);
        List<List<String>> lines = new ArrayList<>();
        String[] rawLines = text.split("\n", -1);
        boolean endsWithNewline = text.endsWith("\n");
        int count = endsWithNewline ? rawLines.length - 1 : rawLines.length;
        for (int i = 0; i < count; i++) {
            List<String> cells = new ArrayList<>();
            for (String cell : rawLines[i].split("\t", -1)) {
                cells.add(cell);
            }
            lines.add(cells);
        }
        format(lines, 0, lines.size(), new ArrayList<>());
        // A trailing partial line is emitted as is, without a newline.
        if (!endsWithNewline && !lines.isEmpty()) {
            out.setLength(out.length() - 1);
        }
    }

    private void format(List<List<String>> lines, int line0, int line1, List<Integer> widths) {
        int column = widths.size();
        int start = line0;
        for (int current = line0; current < line1; current++) {
            if (column >= lines.get(current).size() - 1) {
                continue;
            }
            writeLines(lines, start, current, widths);
            start = current;
            int width = minWidth;
            for (; current < line1; current++) {
                List<String> line = lines.get(current);
                if (column >= line.size() - 1) {
                    break;
                }
                width = Math.max(width, displayWidth(line.get(column)) + padding);
            }
            widths.add(width);
            format(lines, start, current, widths);
            widths.remove(widths.size() - 1);
            start = current;
            current--; // the loop increment revisits the line that ended the block
        }
        writeLines(lines, start, line1, widths);
    }

    private void writeLines(List<List<String>> lines, int from, int to, List<Integer> widths) {
        for (int i = from; i < to; i++) {
            List<String> line = lines.get(i);
            for (int j = 0; j < line.size(); j++) {
                String cell = line.get(j);
                out.append(cell);
                if (j < widths.size()) {
                    out.append(" ".repeat(Math.max(0, widths.get(j) - displayWidth(cell))));
                }
            }
            out.append('\n');
        }
    }

    private static int displayWidth(String cell) {
        return cell.codePointCount(0, cell.length());
    }
}
