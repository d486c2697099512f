package dev.swarmkit.swarmctl.cluster;

import dev.swarmkit.api.ExternalCA;
import dev.swarmkit.swarmctl.CliException;
import java.util.Locale;

/** Parses {@code --external-ca protocol=cfssl,url=https://...[,key=value...]}. */
final class ExternalCas {
    private ExternalCas() {
    }

    static ExternalCA parse(String text) {
        ExternalCA.Builder ca = ExternalCA.newBuilder();
        boolean protocol = false;
        for (String field : text.split(",")) {
            String[] kv = field.split("=", 2);
            if (kv.length != 2) {
                throw CliException.usage("invalid field '" + field + "' must be a key=value pair");
            }
            String key = kv[0].toLowerCase(Locale.ROOT);
            switch (key) {
                case "protocol" -> {
                    if (!kv[1].equalsIgnoreCase("cfssl")) {
                        throw CliException.usage("unrecognized external CA protocol " + kv[1]);
                    }
                    ca.setProtocol(ExternalCA.CAProtocol.CFSSL);
                    protocol = true;
                }
                case "url" -> ca.setUrl(kv[1]);
                default -> ca.putOptions(kv[0], kv[1]);
            }
        }
        if (!protocol) {
            throw CliException.usage("protocol is a required field");
        }
        if (ca.getUrl().isEmpty()) {
            throw CliException.usage("url is a required field");
        }
        return ca.build();
    }
}
