package dev.swarmkit.store;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * One watcher's bounded event queue. The committing thread only ever appends; when the queue is full
 * the watcher is dropped (its events discarded, later reads fail with WatcherTooSlow) so commits never
 * wait for a slow reader and memory stays bounded.
 */
final class WatchQueue implements Subscription {

  private enum State { OPEN, TOO_SLOW, CLOSED }

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ArrayDeque<StoreEvent> events = new ArrayDeque<>();
  private final Predicate<StoreEvent> filter;
  private final int capacity;
  private final Runnable onClose;
  private State state = State.OPEN;

  WatchQueue(Predicate<StoreEvent> filter, int capacity, Runnable onClose) {
    this.filter = filter;
    this.capacity = capacity;
    this.onClose = onClose;
  }

  /** Queues replayed events regardless of the bound; called before the watcher goes live. */
  void prefill(List<StoreEvent> replay) {
    lock.lock();
    try {
      for (StoreEvent e : replay) {
        if (filter.test(e)) {
          events.add(e);
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Queues the events of one commit that pass the filter. Returns false if the watcher is no longer
   * live (closed, or dropped now because the events would not fit).
   */
  boolean offer(List<StoreEvent> commit) {
    lock.lock();
    try {
      if (state != State.OPEN) {
        return false;
      }
      boolean added = false;
      for (StoreEvent e : commit) {
        if (!filter.test(e)) {
          continue;
        }
        if (events.size() >= capacity) {
          state = State.TOO_SLOW;
          events.clear();
          changed.signalAll();
          return false;
        }
        events.add(e);
        added = true;
      }
      if (added) {
        changed.signalAll();
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public Optional<StoreEvent> poll(Duration timeout) throws InterruptedException {
    long nanos = timeout.toNanos();
    lock.lock();
    try {
      while (true) {
        checkLive();
        StoreEvent e = events.poll();
        if (e != null) {
          return Optional.of(e);
        }
        if (nanos <= 0) {
          return Optional.empty();
        }
        nanos = changed.awaitNanos(nanos);
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public StoreEvent take() throws InterruptedException {
    lock.lock();
    try {
      while (true) {
        checkLive();
        StoreEvent e = events.poll();
        if (e != null) {
          return e;
        }
        changed.await(1, TimeUnit.SECONDS);
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean droppedTooSlow() {
    lock.lock();
    try {
      return state == State.TOO_SLOW;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void close() {
    lock.lock();
    try {
      if (state == State.OPEN) {
        state = State.CLOSED;
      }
      events.clear();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    onClose.run();
  }

  private void checkLive() {
    if (state == State.TOO_SLOW) {
      throw new StoreException.WatcherTooSlow();
    }
    if (state == State.CLOSED) {
      throw new StoreException.Closed();
    }
  }
}
