package dev.swarmkit.store;

import com.google.protobuf.Message;

/**
 * One committed change: the action, the table, the object before ({@code null} for create) and after
 * ({@code null} for delete), and the Raft index (version) of the entry that carried it. A {@link
 * Kind#COMMIT} event closes each committed transaction, as upstream's EventCommit.
 */
public record StoreEvent(Kind kind, Table<?> table, Message oldObject, Message newObject, long version) {

  public enum Kind {
    CREATE,
    UPDATE,
    DELETE,
    COMMIT
  }

  /** The object the event is about: the new one, or the old one for deletes. */
  public Message object() {
    return newObject != null ? newObject : oldObject;
  }

  public static StoreEvent commit(long version) {
    return new StoreEvent(Kind.COMMIT, null, null, null, version);
  }
}
