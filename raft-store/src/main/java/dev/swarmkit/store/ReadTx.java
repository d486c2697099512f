package dev.swarmkit.store;

import com.google.protobuf.Message;
import java.util.List;
import java.util.Optional;

/** Read access to one consistent snapshot of the store. */
public interface ReadTx {

  /** The object with exactly this ID, if any. */
  <T extends Message> Optional<T> get(Table<T> table, String id);

  /** The objects matching {@code by}, answered from indexes. Order: by ID. */
  <T extends Message> List<T> find(Table<T> table, By by);

  /** Every object of the table, ordered by ID. */
  default <T extends Message> List<T> all(Table<T> table) {
    return find(table, By.all());
  }
}
