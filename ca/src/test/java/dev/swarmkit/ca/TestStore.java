package dev.swarmkit.ca;

import com.google.protobuf.Message;
import dev.swarmkit.api.Meta;
import dev.swarmkit.api.Version;
import dev.swarmkit.store.By;
import dev.swarmkit.store.ReadTx;
import dev.swarmkit.store.Store;
import dev.swarmkit.store.StoreEvent;
import dev.swarmkit.store.StoreException;
import dev.swarmkit.store.Subscription;
import dev.swarmkit.store.Table;
import dev.swarmkit.store.Tx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A minimal single-lock in-memory {@link Store} for this module's tests, until the real MemoryStore
 * lands. Supports get, find by all/name, create/update(version-checked)/delete and watches.
 */
final class TestStore implements Store {

  private final Map<Table<?>, TreeMap<String, Message>> tables = new HashMap<>();
  private final List<Sub> subscriptions = new CopyOnWriteArrayList<>();
  private long version;

  @Override
  public synchronized <R> R view(Function<ReadTx, R> fn) {
    return fn.apply(new Reader(tables));
  }

  @Override
  public synchronized void update(Consumer<Tx> fn) {
    Map<Table<?>, TreeMap<String, Message>> copy = new HashMap<>();
    tables.forEach((t, m) -> copy.put(t, new TreeMap<>(m)));
    long next = version + 1;
    Writer tx = new Writer(copy, next);
    fn.accept(tx);
    tables.clear();
    tables.putAll(copy);
    version = next;
    tx.events.add(StoreEvent.commit(next));
    for (StoreEvent e : tx.events) {
      for (Sub s : subscriptions) {
        if (s.filter.test(e)) {
          s.queue.add(e);
        }
      }
    }
  }

  @Override
  public void batch(Consumer<Batch> fn) {
    fn.accept(this::update);
  }

  @Override
  public synchronized long currentVersion() {
    return version;
  }

  @Override
  public synchronized Subscription watch(Predicate<StoreEvent> filter) {
    Sub s = new Sub(filter);
    subscriptions.add(s);
    return s;
  }

  @Override
  public synchronized <R> ViewAndWatch<R> viewAndWatch(Function<ReadTx, R> fn, Predicate<StoreEvent> filter) {
    return new ViewAndWatch<>(view(fn), watch(filter));
  }

  @Override
  public Subscription watchFrom(long fromVersion, Predicate<StoreEvent> filter) {
    throw new UnsupportedOperationException();
  }

  private final class Sub implements Subscription {
    final Predicate<StoreEvent> filter;
    final LinkedBlockingQueue<StoreEvent> queue = new LinkedBlockingQueue<>();

    Sub(Predicate<StoreEvent> filter) {
      this.filter = filter;
    }

    @Override
    public Optional<StoreEvent> poll(Duration timeout) throws InterruptedException {
      return Optional.ofNullable(queue.poll(timeout.toMillis(), TimeUnit.MILLISECONDS));
    }

    @Override
    public StoreEvent take() throws InterruptedException {
      return queue.take();
    }

    @Override
    public void close() {
      subscriptions.remove(this);
    }
  }

  private static class Reader implements ReadTx {
    final Map<Table<?>, TreeMap<String, Message>> data;

    Reader(Map<Table<?>, TreeMap<String, Message>> data) {
      this.data = data;
    }

    TreeMap<String, Message> table(Table<?> t) {
      return data.computeIfAbsent(t, k -> new TreeMap<>());
    }

    @Override
    public <T extends Message> Optional<T> get(Table<T> table, String id) {
      return Optional.ofNullable(table(table).get(id)).map(table::cast);
    }

    @Override
    public <T extends Message> List<T> find(Table<T> table, By by) {
      List<T> out = new ArrayList<>();
      for (Message m : table(table).values()) {
        T o = table.cast(m);
        if (by instanceof By.All || (by instanceof By.Name n && table.nameOf(o).equalsIgnoreCase(n.name()))) {
          out.add(o);
        } else if (!(by instanceof By.All) && !(by instanceof By.Name)) {
          throw new UnsupportedOperationException("TestStore supports By.all and By.name only");
        }
      }
      return out;
    }
  }

  private static final class Writer extends Reader implements Tx {
    final long version;
    final List<StoreEvent> events = new ArrayList<>();

    Writer(Map<Table<?>, TreeMap<String, Message>> data, long version) {
      super(data);
      this.version = version;
    }

    private <T extends Message> T stamp(Table<T> table, T object) {
      return table.withMeta(object, Meta.newBuilder().setVersion(Version.newBuilder().setIndex(version)).build());
    }

    @Override
    public <T extends Message> void create(Table<T> table, T object) {
      String id = table.idOf(object);
      if (table(table).containsKey(id)) {
        throw new StoreException.AlreadyExists(table + " " + id + " already exists");
      }
      T stored = stamp(table, object);
      table(table).put(id, stored);
      events.add(new StoreEvent(StoreEvent.Kind.CREATE, table, null, stored, version));
    }

    @Override
    public <T extends Message> void update(Table<T> table, T object) {
      String id = table.idOf(object);
      Message old = table(table).get(id);
      if (old == null) {
        throw new StoreException.NotFound(table + " " + id + " not found");
      }
      if (table.metaOf(table.cast(old)).getVersion().getIndex() != table.metaOf(object).getVersion().getIndex()) {
        throw new StoreException.SequenceConflict();
      }
      T stored = stamp(table, object);
      table(table).put(id, stored);
      events.add(new StoreEvent(StoreEvent.Kind.UPDATE, table, old, stored, version));
    }

    @Override
    public <T extends Message> void delete(Table<T> table, String id) {
      Message old = table(table).remove(id);
      if (old == null) {
        throw new StoreException.NotFound(table + " " + id + " not found");
      }
      events.add(new StoreEvent(StoreEvent.Kind.DELETE, table, old, null, version));
    }
  }
}
