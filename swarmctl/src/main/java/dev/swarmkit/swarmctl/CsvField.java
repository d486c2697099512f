package dev.swarmkit.swarmctl;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * One field of a comma-separated list flag, read as pflag's StringSlice reads it (Go's encoding/csv):
 * picocli splits on the commas outside quotes, this unquotes {@code "a,b"} to {@code a,b} (with
 * {@code ""} for a quote) and refuses a quote inside an unquoted field.
 */
public final class CsvField implements ITypeConverter<String> {
    @Override
    public String convert(String field) {
        if (field.length() >= 2 && field.startsWith("\"") && field.endsWith("\"")) {
            String inner = field.substring(1, field.length() - 1);
            if (inner.replace("\"\"", "").contains("\"")) {
                throw new TypeConversionException("extraneous or missing \" in quoted-field: " + field);
            }
            return inner.replace("\"\"", "\"");
        }
        if (field.contains("\"")) {
            throw new TypeConversionException("bare \" in non-quoted-field: " + field);
        }
        return field;
    }
}
