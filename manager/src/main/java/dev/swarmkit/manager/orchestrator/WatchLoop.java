package dev.swarmkit.manager.orchestrator;

import dev.swarmkit.store.DeferredEvents;
import dev.swarmkit.store.StoreEvent;
import dev.swarmkit.store.StoreException;
import dev.swarmkit.store.Subscription;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A leader-only component driven by one thread reading one store watch queue. {@link #start()} and
 * {@link #stop()} are called by the manager when it gains or loses leadership; a stopped component
 * is not restarted (create a new one), as upstream's components are created per leadership term.
 *
 * <p>Subclasses take a snapshot and subscribe atomically in {@link #subscribe()} (so no change is
 * missed between the two), then receive each later event in {@link #handle}. When the watcher falls
 * behind and is dropped, the loop subscribes afresh, which re-reads the whole state.
 */
public abstract class WatchLoop {

  private static final Duration POLL = Duration.ofMillis(100);

  protected final Logger log = LoggerFactory.getLogger(getClass());
  private final String name;
  private Thread thread;
  private volatile boolean stopping;
  private volatile Subscription subscription;
  // Loop thread only: events moved out of the watch queue during long work (deferQueuedEvents).
  private final DeferredEvents deferred = new DeferredEvents(Integer.MAX_VALUE);
  private volatile int subscriptions;

  protected WatchLoop(String name) {
    this.name = name;
  }

  /** Starts the component's thread; returns immediately. */
  public final synchronized void start() {
    if (thread != null) {
      throw new IllegalStateException(name + " already started");
    }
    thread = new Thread(this::runLoop, name);
    thread.setDaemon(true);
    thread.start();
  }

  /** Stops the thread, waits for it to finish its current event, then releases helpers. */
  public final void stop() {
    Thread t;
    synchronized (this) {
      t = thread;
      stopping = true;
    }
    if (t != null) {
      Subscription s = subscription;
      if (s != null) {
        s.close();
      }
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    onStopped();
  }

  /** How many times the loop read the state and subscribed (more than once: it fell behind). */
  public final int subscriptions() {
    return subscriptions;
  }

  protected final boolean stopping() {
    return stopping;
  }

  /** Reads the initial state and subscribes to changes after it, atomically; acts on the state. */
  protected abstract Subscription subscribe();

  /**
   * Work on the state read by {@link #subscribe()} that may take long (a large reconciliation): run
   * here, once the subscription is in place, it can call {@link #deferQueuedEvents()}.
   */
  protected void afterSubscribe() {}

  /** Handles one committed change. */
  protected abstract void handle(StoreEvent event);

  /**
   * Moves the events queued so far out of the bounded watch queue into this loop's own list; they
   * are handled, in order, before any later one. Long work on the loop's thread calls it now and
   * then: while it creates a large service's tasks in one batch, its own changes and everyone else's
   * would overflow the queue, and the loop would then re-read and reconcile the whole state. Call it
   * only from the loop's thread.
   */
  protected final void deferQueuedEvents() {
    Subscription s = subscription;
    if (s != null) {
      deferred.deferFrom(s);
    }
  }

  /** Called when no event arrived within {@link #pollInterval()}; for timers. */
  protected void idle() {}

  protected Duration pollInterval() {
    return POLL;
  }

  /** Releases helpers (timers, pending restarts) after the loop ended. */
  protected void onStopped() {}

  private void runLoop() {
    while (!stopping) {
      try {
        deferred.clear();
        subscription = null; // work done while subscribing must not read the closed one
        subscriptions++;
        subscription = subscribe();
        if (stopping) {
          subscription.close();
          return;
        }
        afterSubscribe();
        pump(subscription);
      } catch (StoreException.WatcherTooSlow e) {
        log.warn("{} fell behind the store; re-reading state", name);
      } catch (StoreException.Closed e) {
        if (!stopping) {
          log.info("{}: store closed, stopping", name);
        }
        return;
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        log.error("{} failed; restarting its loop", name, e);
        sleepQuietly(POLL);
      } finally {
        Subscription s = subscription;
        if (s != null) {
          s.close();
        }
      }
    }
  }

  private void pump(Subscription sub) throws InterruptedException {
    while (!stopping) {
      Optional<StoreEvent> event = deferred.next(sub, pollInterval());
      if (stopping) {
        return;
      }
      try {
        if (event.isPresent()) {
          handle(event.get());
        } else {
          idle();
        }
      } catch (StoreException.WatcherTooSlow | StoreException.Closed e) {
        throw e;
      } catch (RuntimeException e) {
        log.error("{}: failed to handle {}", name, event.map(StoreEvent::kind).orElse(null), e);
      }
    }
  }

  private static void sleepQuietly(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
