package dev.swarmkit.store;

import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import dev.swarmkit.api.Meta;
import dev.swarmkit.api.StoreAction;
import dev.swarmkit.api.StoreActionKind;
import dev.swarmkit.api.Version;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A write transaction: validates each change against the transaction's own working root (so later
 * reads see earlier writes), stamps Meta, and records the change as a StoreAction. Nothing reaches the
 * store until the recorded actions are committed through the {@link Proposer}.
 */
final class WriteTx extends RootReader implements Tx {

  private final StoreRoot base;
  private final long version;
  private final Clock clock;
  private final List<StoreAction> actions = new ArrayList<>();
  private final List<Integer> sizes = new ArrayList<>();
  private long bytes;
  private boolean open = true;

  /**
   * @param version the provisional version stamped into changed objects; the applying side replaces
   *     it with the committed entry's index
   */
  WriteTx(StoreRoot root, long version, Clock clock) {
    super(root);
    this.base = root;
    this.version = version;
    this.clock = clock;
  }

  @Override
  public <T extends Message> void create(Table<T> table, T object) {
    checkOpen();
    String id = table.idOf(object);
    if (id.isEmpty()) {
      throw new IllegalArgumentException(table.name() + " has no ID");
    }
    if (root.get(table, id) != null) {
      throw new StoreException.AlreadyExists(table.name() + " " + id + " already exists");
    }
    checkNameFree(table, object, id);
    TableRules.beforeCreate(this, table, object);
    Timestamp now = now();
    Meta meta = Meta.newBuilder().setVersion(version()).setCreatedAt(now).setUpdatedAt(now).build();
    T stamped = table.withMeta(object, meta);
    root = root.put(table, id, stamped);
    record(StoreActionKind.STORE_ACTION_CREATE, table, stamped);
  }

  @Override
  public <T extends Message> void update(Table<T> table, T object) {
    checkOpen();
    String id = table.idOf(object);
    Message stored = root.get(table, id);
    if (stored == null) {
      throw new StoreException.NotFound(table.name() + " " + id + " not found");
    }
    Meta storedMeta = table.metaOf(table.cast(stored));
    if (table.metaOf(object).getVersion().getIndex() != storedMeta.getVersion().getIndex()) {
      throw new StoreException.SequenceConflict();
    }
    checkNameFree(table, object, id);
    TableRules.beforeUpdate(this, table, object);
    Meta meta = storedMeta.toBuilder().setVersion(version()).setUpdatedAt(now()).build();
    T stamped = table.withMeta(object, meta);
    root = root.put(table, id, stamped);
    record(StoreActionKind.STORE_ACTION_UPDATE, table, stamped);
  }

  @Override
  public <T extends Message> void delete(Table<T> table, String id) {
    checkOpen();
    Message stored = root.get(table, id);
    if (stored == null) {
      throw new StoreException.NotFound(table.name() + " " + id + " not found");
    }
    TableRules.beforeDelete(this, table, stored);
    root = root.remove(table, id);
    record(StoreActionKind.STORE_ACTION_REMOVE, table, stored);
  }

  /** Recorded changes, in order. */
  List<StoreAction> actions() {
    return actions;
  }

  /** Serialized size of the recorded changes. */
  long bytes() {
    return bytes;
  }

  /** Serialized size of the changes recorded from position {@code from} on. */
  long bytesFrom(int from) {
    long sum = 0;
    for (int i = from; i < sizes.size(); i++) {
      sum += sizes.get(i);
    }
    return sum;
  }

  /** Forgets the changes recorded from position {@code mark} on and restores the root of that time. */
  void rollbackTo(int mark, StoreRoot markRoot) {
    bytes -= bytesFrom(mark);
    actions.subList(mark, actions.size()).clear();
    sizes.subList(mark, sizes.size()).clear();
    root = markRoot;
  }

  StoreRoot root() {
    return root;
  }

  /** The root the transaction started from. */
  StoreRoot base() {
    return base;
  }

  /** The provisional version stamped into changed objects. */
  long provisionalVersion() {
    return version;
  }

  /** Ends the transaction: a Tx leaked out of its callback can no longer write. */
  void close() {
    open = false;
  }

  private void checkOpen() {
    if (!open) {
      throw new IllegalStateException("transaction already finished");
    }
  }

  private <T extends Message> void checkNameFree(Table<T> table, T object, String id) {
    if (!table.uniqueNames()) {
      return;
    }
    String name = table.nameOf(object);
    if (name.isEmpty()) {
      return;
    }
    for (Message other : root.find(table, By.name(name))) {
      if (!table.idOf(table.cast(other)).equals(id)) {
        throw new StoreException.AlreadyExists(
            table.name() + " name \"" + name + "\" conflicts with an existing object");
      }
    }
  }

  private void record(StoreActionKind kind, Table<?> table, Message object) {
    StoreAction action = StoreActions.of(kind, table, object);
    int size = action.getSerializedSize();
    actions.add(action);
    sizes.add(size);
    bytes += size;
  }

  private Version version() {
    return Version.newBuilder().setIndex(version).build();
  }

  private Timestamp now() {
    Instant now = clock.instant();
    return Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()).build();
  }
}
