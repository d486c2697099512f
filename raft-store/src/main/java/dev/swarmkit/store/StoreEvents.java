package dev.swarmkit.store;

import java.util.EnumSet;
import java.util.List;
import java.util.function.Predicate;

/** Ready-made watch filters; combine them with {@link Predicate#and}/{@link Predicate#or}. */
public final class StoreEvents {

  private StoreEvents() {}

  /** Every event, commits included. */
  public static Predicate<StoreEvent> all() {
    return e -> true;
  }

  /** Changes to objects of the given tables (no commit events). */
  public static Predicate<StoreEvent> inTables(Table<?>... tables) {
    List<Table<?>> wanted = List.of(tables);
    return e -> e.table() != null && wanted.contains(e.table());
  }

  /** Events of the given kinds. */
  public static Predicate<StoreEvent> ofKind(StoreEvent.Kind first, StoreEvent.Kind... rest) {
    EnumSet<StoreEvent.Kind> kinds = EnumSet.of(first, rest);
    return e -> kinds.contains(e.kind());
  }

  /** The commit events closing each transaction. */
  public static Predicate<StoreEvent> commits() {
    return e -> e.kind() == StoreEvent.Kind.COMMIT;
  }
}
