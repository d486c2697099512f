package dev.swarmkit.swarmctl.cluster;

import dev.swarmkit.api.ExternalCA;
import dev.swarmkit.swarmctl.CliException;

/** Parses {@code --external-ca protocol=cfssl,url=https://...[,key=value...]}. */
final class ExternalCas {
    private ExternalCas() {
    }

    static ExternalCA parse(String text) {
        try {
            return dev.swarmkit.flags.ExternalCaFlag.parse(text);
        } catch (IllegalArgumentException e) {
            throw CliException.usage(e.getMessage());
        }
    }
}
