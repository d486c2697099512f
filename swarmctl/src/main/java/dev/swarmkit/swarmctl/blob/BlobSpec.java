package dev.swarmkit.swarmctl.blob;

import com.google.protobuf.ByteString;
import dev.swarmkit.api.Annotations;
import dev.swarmkit.api.Driver;
import java.util.Optional;

/**
 * What a create command asks for, common to ConfigSpec and SecretSpec.
 *
 * @param driver supplies the value instead of {@code data}; only secrets have one
 */
public record BlobSpec(Annotations annotations, ByteString data, Optional<Driver> templating,
        Optional<Driver> driver) {
}
