package dev.swarmkit.store.raft;

import dev.swarmkit.api.ClusterSnapshot;
import dev.swarmkit.api.Snapshot;
import dev.swarmkit.api.StoreSnapshot;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * One snapshot file: a magic number, the store version (index of the last store entry, which may be
 * below the Raft index the snapshot is named after), then upstream's {@code Snapshot} message with the
 * membership and the whole store.
 */
record SnapshotFile(long storeVersion, Snapshot snapshot) {

  private static final int MAGIC = 0x534b5231; // "SKR1": plaintext (store tests without data keys)
  private static final int SEALED_MAGIC = 0x534b4531; // "SKE1": store version and snapshot, sealed

  static SnapshotFile of(long storeVersion, ClusterSnapshot membership, StoreSnapshot store) {
    return new SnapshotFile(storeVersion, Snapshot.newBuilder()
        .setVersion(Snapshot.Version.V0).setMembership(membership).setStore(store).build());
  }

  /**
   * Writes to a temporary sibling and moves it into place, so a crash never leaves half a snapshot.
   * With data keys, everything after the magic number is sealed.
   */
  void writeTo(Path file, RaftEncryption encryption) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (OutputStream os = Files.newOutputStream(tmp);
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(os))) {
      if (encryption.encrypts()) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        DataOutputStream plain = new DataOutputStream(body);
        plain.writeLong(storeVersion);
        snapshot.writeTo(plain);
        plain.flush();
        out.writeInt(SEALED_MAGIC);
        out.write(encryption.seal(body.toByteArray()));
      } else {
        out.writeInt(MAGIC);
        out.writeLong(storeVersion);
        snapshot.writeTo(out);
      }
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  static SnapshotFile readFrom(Path file, RaftEncryption encryption) throws IOException {
    try (InputStream is = Files.newInputStream(file);
        DataInputStream in = new DataInputStream(new BufferedInputStream(is))) {
      int magic = in.readInt();
      if (magic == SEALED_MAGIC) {
        DataInputStream plain = new DataInputStream(new ByteArrayInputStream(encryption.open(in.readAllBytes())));
        long version = plain.readLong();
        return new SnapshotFile(version, Snapshot.parseFrom(plain));
      }
      if (magic != MAGIC) {
        throw new IOException("not a store snapshot: " + file);
      }
      if (encryption.encrypts()) {
        throw new IOException("store snapshot " + file + " is not encrypted; refusing it (data keys are configured)");
      }
      long version = in.readLong();
      return new SnapshotFile(version, Snapshot.parseFrom(in));
    }
  }
}
