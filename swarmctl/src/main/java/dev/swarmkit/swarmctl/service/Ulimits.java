package dev.swarmkit.swarmctl.service;

import dev.swarmkit.api.ContainerSpec;
import java.util.Set;

/** {@code --ulimit name=soft[:hard]}, with the limit names Docker knows. */
final class Ulimits {
    private static final Set<String> NAMES = Set.of("core", "cpu", "data", "fsize", "locks", "memlock",
            "msgqueue", "nice", "nofile", "nproc", "rss", "rtprio", "rttime", "sigpending", "stack");

    private Ulimits() {
    }

    static ContainerSpec.Ulimit parse(String text) {
        String[] nameAndLimits = text.split("=", 2);
        if (nameAndLimits.length != 2) {
            throw new IllegalArgumentException("invalid ulimit argument: " + text);
        }
        if (!NAMES.contains(nameAndLimits[0])) {
            throw new IllegalArgumentException("invalid ulimit type: " + nameAndLimits[0]);
        }
        String[] limits = nameAndLimits[1].split(":", -1);
        if (limits.length > 2) {
            throw new IllegalArgumentException("too many limit value arguments - " + nameAndLimits[1]
                    + ", can only have up to two, `soft[:hard]`");
        }
        long soft = number(limits[0]);
        long hard = limits.length == 2 ? number(limits[1]) : soft;
        if (soft > hard) {
            throw new IllegalArgumentException(
                    "ulimit soft limit must be less than or equal to hard limit: " + soft + " > " + hard);
        }
        return ContainerSpec.Ulimit.newBuilder().setName(nameAndLimits[0]).setSoft(soft).setHard(hard).build();
    }

    private static long number(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid ulimit argument: " + text);
        }
    }
}
