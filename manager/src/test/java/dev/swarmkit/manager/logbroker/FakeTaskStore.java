package dev.swarmkit.manager.logbroker;

import com.google.protobuf.Message;
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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Just enough of a store for the log broker: tasks readable by ID and service, and task
 * create/update events. (Swap for MemoryStore once it is on main.)
 */
final class FakeTaskStore implements Store {

  private final Map<String, Task> tasks = new ConcurrentHashMap<>();
  private final List<Watcher> watchers = new CopyOnWriteArrayList<>();
  private long version;

  synchronized void put(Task task) {
    Task old = tasks.put(task.getId(), task);
    version++;
    StoreEvent event = new StoreEvent(old == null ? StoreEvent.Kind.CREATE : StoreEvent.Kind.UPDATE,
        Table.TASKS, old, task, version);
    for (Watcher w : watchers) {
      if (w.filter.test(event)) {
        w.queue.offer(event);
      }
    }
  }

  @Override
  public <R> R view(Function<ReadTx, R> fn) {
    return fn.apply(new ReadTx() {
      @Override
      public <T extends Message> Optional<T> get(Table<T> table, String id) {
        return table == Table.TASKS ? Optional.ofNullable(table.cast(tasks.get(id))) : Optional.empty();
      }

      @Override
      public <T extends Message> List<T> find(Table<T> table, By by) {
        if (table != Table.TASKS || !(by instanceof By.ServiceId s)) {
          throw new UnsupportedOperationException("fake store: " + table + " " + by);
        }
        return tasks.values().stream().filter(t -> t.getServiceId().equals(s.serviceId()))
            .sorted(java.util.Comparator.comparing(Task::getId)).map(table::cast).toList();
      }
    });
  }

  @Override
  public Subscription watch(Predicate<StoreEvent> filter) {
    Watcher w = new Watcher(filter);
    watchers.add(w);
    return w;
  }

  private final class Watcher implements Subscription {
    final Predicate<StoreEvent> filter;
    final LinkedBlockingQueue<StoreEvent> queue = new LinkedBlockingQueue<>();
    volatile boolean closed;

    Watcher(Predicate<StoreEvent> filter) {
      this.filter = filter;
    }

    @Override
    public Optional<StoreEvent> poll(Duration timeout) throws InterruptedException {
      if (closed) {
        throw new StoreException.Closed();
      }
      return Optional.ofNullable(queue.poll(timeout.toMillis(), TimeUnit.MILLISECONDS));
    }

    @Override
    public StoreEvent take() throws InterruptedException {
      while (true) {
        Optional<StoreEvent> e = poll(Duration.ofMillis(100));
        if (e.isPresent()) {
          return e.get();
        }
      }
    }

    @Override
    public void close() {
      closed = true;
      watchers.remove(this);
    }
  }

  @Override
  public void update(Consumer<Tx> fn) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void batch(Consumer<Batch> fn) {
    throw new UnsupportedOperationException();
  }

  @Override
  public long currentVersion() {
    return version;
  }

  @Override
  public <R> ViewAndWatch<R> viewAndWatch(Function<ReadTx, R> fn, Predicate<StoreEvent> filter) {
    throw new UnsupportedOperationException();
  }

  @Override
  public Subscription watchFrom(long version, Predicate<StoreEvent> filter) {
    throw new UnsupportedOperationException();
  }
}
