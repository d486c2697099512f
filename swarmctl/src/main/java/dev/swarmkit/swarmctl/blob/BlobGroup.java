package dev.swarmkit.swarmctl.blob;

import com.google.protobuf.Message;
import dev.swarmkit.swarmctl.CommandGroup;

/** The config or secret command group: its subcommands reach their kind of blob through it. */
public abstract class BlobGroup<T extends Message> extends CommandGroup {
    private final BlobKind<T> kind;

    protected BlobGroup(BlobKind<T> kind) {
        this.kind = kind;
    }

    BlobKind<T> kind() {
        return kind;
    }
}
