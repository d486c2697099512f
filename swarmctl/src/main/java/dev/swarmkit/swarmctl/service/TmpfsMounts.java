package dev.swarmkit.swarmctl.service;

import dev.swarmkit.api.Mount;

/** {@code --tmpfs /path[:size=64m,mode=1777,ro|rw,exec|noexec]}, like {@code docker run --tmpfs}. */
final class TmpfsMounts {
    private TmpfsMounts() {
    }

    static Mount parse(String text) {
        String[] parts = text.split(":", 2);
        if (parts[0].isEmpty() || !parts[0].startsWith("/")) {
            throw new IllegalArgumentException("invalid mount spec: " + text);
        }
        Mount.Builder mount = Mount.newBuilder().setType(Mount.Type.TMPFS).setTarget(parts[0]);
        if (parts.length == 2) {
            if (parts[1].contains(":")) {
                throw new IllegalArgumentException("invalid mount spec: " + text);
            }
            Mount.TmpfsOptions.Builder options = Mount.TmpfsOptions.newBuilder();
            for (String flag : parts[1].split(",", -1)) {
                if (flag.startsWith("size=")) {
                    options.setSizeBytes(size(flag));
                } else if (flag.startsWith("mode=")) {
                    try {
                        options.setMode(Integer.parseInt(flag.substring("mode=".length()), 8));
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("invalid mode: " + flag);
                    }
                } else if (flag.equals("ro")) {
                    mount.setReadonly(true);
                } else if (flag.equals("rw")) {
                    mount.setReadonly(false);
                } else if (flag.equals("exec") || flag.equals("noexec")) {
                    options.setOptions(flag);
                } else {
                    throw new IllegalArgumentException("unsupported flag");
                }
            }
            mount.setTmpfsOptions(options);
        }
        return mount.build();
    }

    private static long size(String flag) {
        String value = flag.substring("size=".length());
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException notPlain) {
            if (value.isEmpty()) {
                throw new IllegalArgumentException("invalid size format: " + flag);
            }
            long multiplier = switch (value.charAt(value.length() - 1)) {
                case 'g' -> 1L << 30;
                case 'm' -> 1L << 20;
                case 'k' -> 1L << 10;
                default -> throw new IllegalArgumentException("invalid size format: " + flag);
            };
            try {
                return Long.parseLong(value.substring(0, value.length() - 1)) * multiplier;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("invalid size format: " + flag);
            }
        }
    }
}
