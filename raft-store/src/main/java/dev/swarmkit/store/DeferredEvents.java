package dev.swarmkit.store;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Optional;

/**
 * Events a component moved out of its bounded watch queue while it was busy (a long batch, a write
 * waiting for its commit, reading a large state), handed out in order before any later one: the same
 * as finding them queued, without the queue overflowing. Past {@code limit} deferred events, or if
 * the subscription was dropped anyway, the component has fallen behind and must re-read the state.
 * One thread only.
 */
public final class DeferredEvents {

  private final ArrayDeque<StoreEvent> deferred = new ArrayDeque<>();
  private final int limit;
  private boolean fellBehind;

  public DeferredEvents(int limit) {
    this.limit = limit;
  }

  /** Moves what {@code from} has queued into this list, without waiting. */
  public void deferFrom(Subscription from) {
    if (fellBehind) {
      return;
    }
    try {
      Optional<StoreEvent> e;
      while ((e = from.poll(Duration.ZERO)).isPresent()) {
        deferred.add(e.get());
      }
      if (deferred.size() > limit) {
        fallBehind();
      }
    } catch (StoreException.WatcherTooSlow e) {
      fallBehind(); // re-read once the current work is done
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * The next event: a deferred one first, else from {@code from} within {@code wait}.
   *
   * @throws StoreException.WatcherTooSlow once this list has fallen behind
   */
  public Optional<StoreEvent> next(Subscription from, Duration wait) throws InterruptedException {
    if (fellBehind) {
      throw new StoreException.WatcherTooSlow();
    }
    return deferred.isEmpty() ? from.poll(wait) : Optional.of(deferred.poll());
  }

  /** Forgets everything, for a fresh subscription. */
  public void clear() {
    deferred.clear();
    fellBehind = false;
  }

  private void fallBehind() {
    deferred.clear();
    fellBehind = true;
  }
}
