package dev.swarmkit.store;

import com.google.protobuf.Message;

/**
 * A write transaction. Reads see the transaction's own pending changes. Version and timestamps in
 * {@code Meta} are filled in by the store: on create the object gets created_at/updated_at; on update
 * the caller passes the object with the version it read, and a stale version fails the transaction.
 */
public interface Tx extends ReadTx {

  /** Adds a new object. Its ID, and its name where the table's names are unique, must be free. */
  <T extends Message> void create(Table<T> table, T object);

  /** Replaces an object; {@code object.meta.version} must equal the stored version. */
  <T extends Message> void update(Table<T> table, T object);

  /** Removes an object by ID. */
  <T extends Message> void delete(Table<T> table, String id);
}
