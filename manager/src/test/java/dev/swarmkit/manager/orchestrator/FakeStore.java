package dev.swarmkit.manager.orchestrator;

import com.google.protobuf.Message;
import dev.swarmkit.api.Meta;
import dev.swarmkit.api.Node;
import dev.swarmkit.api.Task;
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
 * A minimal single-writer in-memory {@link Store} for orchestrator tests until the real MemoryStore
 * is available: copy-on-write snapshots, optimistic versions, ordered watch events with COMMIT.
 */
final class FakeStore implements Store {

  private final Object writeLock = new Object();
  private volatile Map<Table<?>, TreeMap<String, Message>> data = new HashMap<>();
  private final List<Sub> subs = new CopyOnWriteArrayList<>();
  private long version;

  @Override
  public <R> R view(Function<ReadTx, R> fn) {
    return fn.apply(new Reader(data));
  }

  @Override
  public void update(Consumer<Tx> fn) {
    synchronized (writeLock) {
      Map<Table<?>, TreeMap<String, Message>> copy = new HashMap<>();
      data.forEach((t, m) -> copy.put(t, new TreeMap<>(m)));
      Writer w = new Writer(copy, version + 1);
      fn.accept(w);
      if (w.events.isEmpty()) {
        return;
      }
      version++;
      data = copy;
      w.events.add(StoreEvent.commit(version));
      for (StoreEvent e : w.events) {
        for (Sub s : subs) {
          s.offer(e);
        }
      }
    }
  }

  @Override
  public void batch(Consumer<Batch> fn) {
    fn.accept(this::update);
  }

  @Override
  public long currentVersion() {
    synchronized (writeLock) {
      return version;
    }
  }

  @Override
  public Subscription watch(Predicate<StoreEvent> filter) {
    Sub s = new Sub(filter);
    subs.add(s);
    return s;
  }

  @Override
  public <R> ViewAndWatch<R> viewAndWatch(Function<ReadTx, R> fn, Predicate<StoreEvent> filter) {
    synchronized (writeLock) {
      Sub s = new Sub(filter);
      subs.add(s);
      return new ViewAndWatch<>(fn.apply(new Reader(data)), s);
    }
  }

  @Override
  public Subscription watchFrom(long version, Predicate<StoreEvent> filter) {
    throw new UnsupportedOperationException();
  }

  private class Reader implements ReadTx {
    final Map<Table<?>, TreeMap<String, Message>> tables;

    Reader(Map<Table<?>, TreeMap<String, Message>> tables) {
      this.tables = tables;
    }

    TreeMap<String, Message> table(Table<?> t) {
      return tables.computeIfAbsent(t, k -> new TreeMap<>());
    }

    @Override
    public <T extends Message> Optional<T> get(Table<T> table, String id) {
      Message m = tables.getOrDefault(table, new TreeMap<>()).get(id);
      return Optional.ofNullable(m == null ? null : table.cast(m));
    }

    @Override
    public <T extends Message> List<T> find(Table<T> table, By by) {
      List<T> out = new ArrayList<>();
      for (Message m : tables.getOrDefault(table, new TreeMap<>()).values()) {
        T o = table.cast(m);
        if (matches(table, o, by)) {
          out.add(o);
        }
      }
      return out;
    }

    private <T extends Message> boolean matches(Table<T> table, T o, By by) {
      if (by instanceof By.All) {
        return true;
      } else if (by instanceof By.Name n) {
        return table.nameOf(o).equalsIgnoreCase(n.name());
      } else if (by instanceof By.IdPrefix p) {
        return table.idOf(o).startsWith(p.prefix());
      } else if (by instanceof By.ServiceId s) {
        return o instanceof Task t && t.getServiceId().equals(s.serviceId());
      } else if (by instanceof By.NodeId n) {
        return o instanceof Task t && t.getNodeId().equals(n.nodeId());
      } else if (by instanceof By.Slot s) {
        return o instanceof Task t && t.getServiceId().equals(s.serviceId()) && t.getSlot() == s.slot();
      } else if (by instanceof By.DesiredState d) {
        return o instanceof Task t && t.getDesiredState() == d.state();
      } else if (by instanceof By.ObservedState d) {
        return o instanceof Task t && t.getStatus().getState() == d.state();
      } else if (by instanceof By.Role r) {
        return o instanceof Node n && n.getRole() == r.role();
      }
      throw new UnsupportedOperationException("selector " + by);
    }
  }

  private final class Writer extends Reader implements Tx {
    final List<StoreEvent> events = new ArrayList<>();
    final long newVersion;

    Writer(Map<Table<?>, TreeMap<String, Message>> tables, long newVersion) {
      super(tables);
      this.newVersion = newVersion;
    }

    @Override
    public <T extends Message> void create(Table<T> table, T object) {
      String id = table.idOf(object);
      if (table(table).containsKey(id)) {
        throw new StoreException.AlreadyExists("object " + id + " already exists");
      }
      var now = Tasks.now();
      T stored = table.withMeta(object, Meta.newBuilder()
          .setVersion(Version.newBuilder().setIndex(newVersion)).setCreatedAt(now).setUpdatedAt(now).build());
      table(table).put(id, stored);
      events.add(new StoreEvent(StoreEvent.Kind.CREATE, table, null, stored, newVersion));
    }

    @Override
    public <T extends Message> void update(Table<T> table, T object) {
      String id = table.idOf(object);
      Message old = table(table).get(id);
      if (old == null) {
        throw new StoreException.NotFound("object " + id + " not found");
      }
      Meta oldMeta = table.metaOf(table.cast(old));
      if (!oldMeta.getVersion().equals(table.metaOf(object).getVersion())) {
        throw new StoreException.SequenceConflict();
      }
      T stored = table.withMeta(object, oldMeta.toBuilder()
          .setVersion(Version.newBuilder().setIndex(newVersion)).setUpdatedAt(Tasks.now()).build());
      table(table).put(id, stored);
      events.add(new StoreEvent(StoreEvent.Kind.UPDATE, table, old, stored, newVersion));
    }

    @Override
    public <T extends Message> void delete(Table<T> table, String id) {
      Message old = table(table).remove(id);
      if (old == null) {
        throw new StoreException.NotFound("object " + id + " not found");
      }
      events.add(new StoreEvent(StoreEvent.Kind.DELETE, table, old, null, newVersion));
    }
  }

  private final class Sub implements Subscription {
    final Predicate<StoreEvent> filter;
    final LinkedBlockingQueue<StoreEvent> queue = new LinkedBlockingQueue<>();
    volatile boolean closed;

    Sub(Predicate<StoreEvent> filter) {
      this.filter = filter;
    }

    void offer(StoreEvent e) {
      if (!closed && filter.test(e)) {
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
      if (closed) {
        throw new StoreException.Closed();
      }
      return queue.take();
    }

    @Override
    public void close() {
      closed = true;
      subs.remove(this);
    }
  }
}
