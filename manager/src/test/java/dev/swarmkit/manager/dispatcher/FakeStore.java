package dev.swarmkit.manager.dispatcher;

import com.google.protobuf.Message;
import dev.swarmkit.api.Meta;
import dev.swarmkit.api.Task;
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
 * A minimal single-lock Store for dispatcher tests until MemoryStore lands on main: supports get,
 * find by all/ID/node/name, versioned updates and watches.
 */
final class FakeStore implements Store {

  private final Map<Table<?>, TreeMap<String, Message>> tables = new HashMap<>();
  private final List<FakeSubscription> subscriptions = new CopyOnWriteArrayList<>();
  private long version;

  @Override
  public synchronized <R> R view(Function<ReadTx, R> fn) {
    return fn.apply(new FakeTx(new ArrayList<>()));
  }

  @Override
  public synchronized void update(Consumer<Tx> fn) {
    Map<Table<?>, TreeMap<String, Message>> backup = new HashMap<>();
    tables.forEach((t, m) -> backup.put(t, new TreeMap<>(m)));
    List<StoreEvent> events = new ArrayList<>();
    try {
      fn.accept(new FakeTx(events));
    } catch (RuntimeException e) {
      tables.clear();
      tables.putAll(backup);
      throw e;
    }
    if (events.isEmpty()) {
      return;
    }
    events.add(StoreEvent.commit(version));
    for (StoreEvent e : events) {
      for (FakeSubscription s : subscriptions) {
        s.offer(e);
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
    FakeSubscription s = new FakeSubscription(filter);
    subscriptions.add(s);
    return s;
  }

  @Override
  public synchronized <R> ViewAndWatch<R> viewAndWatch(Function<ReadTx, R> fn, Predicate<StoreEvent> filter) {
    R r = view(fn);
    return new ViewAndWatch<>(r, watch(filter));
  }

  @Override
  public Subscription watchFrom(long version, Predicate<StoreEvent> filter) {
    throw new UnsupportedOperationException();
  }

  private TreeMap<String, Message> table(Table<?> t) {
    return tables.computeIfAbsent(t, k -> new TreeMap<>());
  }

  private final class FakeTx implements Tx {
    private final List<StoreEvent> events;

    FakeTx(List<StoreEvent> events) {
      this.events = events;
    }

    @Override
    public <T extends Message> Optional<T> get(Table<T> table, String id) {
      return Optional.ofNullable(table.cast(table(table).get(id)));
    }

    @Override
    public <T extends Message> List<T> find(Table<T> table, By by) {
      List<T> out = new ArrayList<>();
      for (Message m : table(table).values()) {
        T o = table.cast(m);
        boolean match;
        if (by instanceof By.All) {
          match = true;
        } else if (by instanceof By.NodeId n) {
          match = o instanceof Task task && task.getNodeId().equals(n.nodeId());
        } else if (by instanceof By.Name n) {
          match = table.nameOf(o).equalsIgnoreCase(n.name());
        } else if (by instanceof By.IdPrefix p) {
          match = table.idOf(o).startsWith(p.prefix());
        } else {
          throw new UnsupportedOperationException(by.toString());
        }
        if (match) {
          out.add(o);
        }
      }
      return out;
    }

    @Override
    public <T extends Message> void create(Table<T> table, T object) {
      String id = table.idOf(object);
      if (table(table).containsKey(id)) {
        throw new StoreException.AlreadyExists("object " + id + " already exists");
      }
      version++;
      T stored = table.withMeta(object, Meta.newBuilder().setVersion(
          dev.swarmkit.api.Version.newBuilder().setIndex(version)).build());
      table(table).put(id, stored);
      events.add(new StoreEvent(StoreEvent.Kind.CREATE, table, null, stored, version));
    }

    @Override
    public <T extends Message> void update(Table<T> table, T object) {
      String id = table.idOf(object);
      T old = table.cast(table(table).get(id));
      if (old == null) {
        throw new StoreException.NotFound("object " + id + " not found");
      }
      if (table.metaOf(old).getVersion().getIndex() != table.metaOf(object).getVersion().getIndex()) {
        throw new StoreException.SequenceConflict();
      }
      version++;
      T stored = table.withMeta(object, table.metaOf(object).toBuilder().setVersion(
          dev.swarmkit.api.Version.newBuilder().setIndex(version)).build());
      table(table).put(id, stored);
      events.add(new StoreEvent(StoreEvent.Kind.UPDATE, table, old, stored, version));
    }

    @Override
    public <T extends Message> void delete(Table<T> table, String id) {
      Message old = table(table).remove(id);
      if (old == null) {
        throw new StoreException.NotFound("object " + id + " not found");
      }
      version++;
      events.add(new StoreEvent(StoreEvent.Kind.DELETE, table, old, null, version));
    }
  }

  private final class FakeSubscription implements Subscription {
    private final Predicate<StoreEvent> filter;
    private final LinkedBlockingQueue<StoreEvent> queue = new LinkedBlockingQueue<>();
    private volatile boolean closed;

    FakeSubscription(Predicate<StoreEvent> filter) {
      this.filter = filter;
    }

    void offer(StoreEvent e) {
      if (filter.test(e)) {
        queue.add(e);
      }
    }

    @Override
    public Optional<StoreEvent> poll(Duration timeout) throws InterruptedException {
      if (closed) {
        throw new StoreException.Closed();
      }
      return Optional.ofNullable(queue.poll(timeout.toNanos(), TimeUnit.NANOSECONDS));
    }

    @Override
    public StoreEvent take() throws InterruptedException {
      return queue.take();
    }

    @Override
    public void close() {
      closed = true;
      subscriptions.remove(this);
    }
  }
}
