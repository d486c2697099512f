package dev.swarmkit.store;

import com.google.protobuf.Message;
import java.util.List;
import java.util.Optional;

/** Read access to one immutable {@link StoreRoot}. */
class RootReader implements ReadTx {

  StoreRoot root;

  RootReader(StoreRoot root) {
    this.root = root;
  }

  @Override
  public <T extends Message> Optional<T> get(Table<T> table, String id) {
    return Optional.ofNullable(root.get(table, id)).map(table::cast);
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T extends Message> List<T> find(Table<T> table, By by) {
    return (List<T>) root.find(table, by);
  }
}
