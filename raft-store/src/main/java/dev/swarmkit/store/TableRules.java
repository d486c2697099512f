package dev.swarmkit.store;

import com.google.protobuf.Message;
import dev.swarmkit.api.Extension;
import dev.swarmkit.api.Resource;

/**
 * Per-table rules upstream enforces inside its store transactions, beyond IDs, names and versions:
 * resources need an extension defining their kind, extensions are immutable, may not take the name of
 * a built-in table, and cannot be deleted while resources of their kind exist.
 */
final class TableRules {

  private TableRules() {}

  static void beforeCreate(ReadTx tx, Table<?> table, Message object) {
    if (table == Table.RESOURCES) {
      requireKind(tx, (Resource) object);
    } else if (table == Table.EXTENSIONS) {
      String name = ((Extension) object).getAnnotations().getName();
      for (Table<?> builtIn : Table.ALL) {
        if (builtIn.name().equals(name)) {
          throw new StoreException.AlreadyExists(
              "extension name \"" + name + "\" conflicts with a built-in object kind");
        }
      }
    }
  }

  static void beforeUpdate(ReadTx tx, Table<?> table, Message object) {
    if (table == Table.RESOURCES) {
      requireKind(tx, (Resource) object);
    } else if (table == Table.EXTENSIONS) {
      throw new StoreException.FailedPrecondition("extensions are immutable");
    }
  }

  static void beforeDelete(ReadTx tx, Table<?> table, Message stored) {
    if (table == Table.EXTENSIONS) {
      String kind = ((Extension) stored).getAnnotations().getName();
      if (!tx.find(Table.RESOURCES, By.kind(kind)).isEmpty()) {
        throw new StoreException.FailedPrecondition(
            "cannot delete extension because objects of this type exist in the data store");
      }
    }
  }

  private static void requireKind(ReadTx tx, Resource resource) {
    if (tx.find(Table.EXTENSIONS, By.name(resource.getKind())).isEmpty()) {
      throw new StoreException.NoKind();
    }
  }
}
