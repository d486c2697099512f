package dev.swarmkit.store;

import com.google.protobuf.Message;
import java.util.List;

/**
 * An immutable version of the whole store: one {@link TableState} per table. Writers derive a new
 * root and publish it with a single volatile write; readers keep the root they started with.
 */
final class StoreRoot {

  private final TableState[] tables;

  private StoreRoot(TableState[] tables) {
    this.tables = tables;
  }

  static StoreRoot empty() {
    TableState[] tables = new TableState[Table.ALL.size()];
    for (Table<?> t : Table.ALL) {
      TableSchema schema = TableSchema.of(t);
      tables[schema.ordinal] = TableState.empty(schema);
    }
    return new StoreRoot(tables);
  }

  TableState table(Table<?> table) {
    return tables[TableSchema.of(table).ordinal];
  }

  Message get(Table<?> table, String id) {
    return table(table).get(id);
  }

  List<Message> find(Table<?> table, By by) {
    return table(table).find(by);
  }

  StoreRoot put(Table<?> table, String id, Message object) {
    return with(table, table(table).put(id, object));
  }

  /** Swaps a stored object for one that differs only in fields no index reads (its version). */
  StoreRoot replaceObject(Table<?> table, String id, Message object) {
    return with(table, table(table).replaceObject(id, object));
  }

  StoreRoot remove(Table<?> table, String id) {
    return with(table, table(table).remove(id));
  }

  private StoreRoot with(Table<?> table, TableState state) {
    TableState[] next = tables.clone();
    next[TableSchema.of(table).ordinal] = state;
    return new StoreRoot(next);
  }
}
