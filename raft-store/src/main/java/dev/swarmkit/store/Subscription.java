package dev.swarmkit.store;

import java.time.Duration;
import java.util.Optional;

/** A bounded queue of committed store events for one watcher. */
public interface Subscription extends AutoCloseable {

  /**
   * Waits up to {@code timeout} for the next event. Empty on timeout.
   *
   * @throws StoreException.WatcherTooSlow the watcher fell too far behind and was dropped
   * @throws StoreException.Closed the subscription or the store was closed
   */
  Optional<StoreEvent> poll(Duration timeout) throws InterruptedException;

  /** Waits for the next event. */
  StoreEvent take() throws InterruptedException;

  /**
   * Whether the watcher was dropped for falling too far behind (its next poll throws {@link
   * StoreException.WatcherTooSlow}); lets a stream that is not reading notice without polling.
   */
  default boolean droppedTooSlow() {
    return false;
  }

  @Override
  void close();
}
