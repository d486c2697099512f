package dev.swarmkit.manager.dispatcher;

import io.grpc.Status;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Wakes one node's Session stream: either "something changed, send a fresh message" or "end the
 * stream with this status". Changes coalesce, so a slow stream never builds a backlog.
 */
final class SessionSignals {

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private boolean dirty;
  private Status endStatus;

  void changed() {
    lock.lock();
    try {
      dirty = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  void end(Status reason) {
    lock.lock();
    try {
      if (endStatus == null) {
        endStatus = reason;
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** The reason the stream must end, or null. */
  Status endStatus() {
    lock.lock();
    try {
      return endStatus;
    } finally {
      lock.unlock();
    }
  }

  /** Waits until changed or ended; returns true (and clears the flag) if something changed. */
  boolean await(Duration timeout) throws InterruptedException {
    lock.lock();
    try {
      long nanos = timeout.toNanos();
      while (!dirty && endStatus == null && nanos > 0) {
        nanos = changed.awaitNanos(nanos);
      }
      boolean was = dirty;
      dirty = false;
      return was;
    } finally {
      lock.unlock();
    }
  }
}
