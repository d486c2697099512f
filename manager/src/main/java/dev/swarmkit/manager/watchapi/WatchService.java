package dev.swarmkit.manager.watchapi;

import dev.swarmkit.api.Version;
import dev.swarmkit.api.WatchGrpc;
import dev.swarmkit.api.WatchMessage;
import dev.swarmkit.api.WatchRequest;
import dev.swarmkit.manager.controlapi.ApiErrors;
import dev.swarmkit.store.Store;
import dev.swarmkit.store.StoreEvent;
import dev.swarmkit.store.StoreException;
import dev.swarmkit.store.Subscription;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The docker.swarmkit.v1.Watch service (upstream manager/watchapi): streams the store changes a
 * client selects, one message per committed transaction with the transaction's version, optionally
 * resuming after a version the client saw.
 *
 * <p>One thread serves every stream, and reads a stream's store subscription only while its
 * transport is ready ({@code isReady}): a client that stops reading leaves its events in the
 * store's bounded watch queue, and once that is full it is dropped with RESOURCE_EXHAUSTED
 * (upstream's slow-watcher rule), so it can neither block a manager thread nor grow the heap.
 */
public final class WatchService extends WatchGrpc.WatchImplBase implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(WatchService.class);
  /** How long the serving thread sleeps when no stream had anything to send. */
  private static final long IDLE_NANOS = Duration.ofMillis(10).toNanos();
  /** Events taken from one stream per round, so one busy stream cannot starve the others. */
  private static final int EVENTS_PER_ROUND = 1_000;

  private final Store store;
  private final Set<Stream> open = ConcurrentHashMap.newKeySet();
  private final Thread server;
  private volatile boolean closed;

  public WatchService(Store store) {
    this.store = store;
    this.server = new Thread(this::serve, "watch-api-streams");
    this.server.setDaemon(true);
    this.server.start();
  }

  /** Open streams (for tests and metrics). */
  public int openStreams() {
    return open.size();
  }

  /**
   * Starts a stream. The first message is empty and is sent once the subscription exists: after it,
   * no change can be missed.
   */
  @Override
  public void watch(WatchRequest request, StreamObserver<WatchMessage> response) {
    if (closed) {
      response.onError(Status.UNAVAILABLE.withDescription("watch server is not running").asRuntimeException());
      return;
    }
    WatchSelector selector;
    try {
      selector = WatchSelector.of(request.getEntriesList());
    } catch (IllegalArgumentException e) {
      response.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
      return;
    }
    Predicate<StoreEvent> filter = e -> e.kind() == StoreEvent.Kind.COMMIT || selector.test(e);
    Subscription subscription;
    try {
      subscription = request.hasResumeFrom()
          ? store.watchFrom(request.getResumeFrom().getIndex(), filter)
          : store.watch(filter);
    } catch (StoreException e) {
      response.onError(ApiErrors.fromStore(e));
      return;
    }
    ServerCallStreamObserver<WatchMessage> call = (ServerCallStreamObserver<WatchMessage>) response;
    Stream stream = new Stream(subscription, call, request.getIncludeOldObject());
    call.setOnCancelHandler(() -> release(stream));
    call.setOnReadyHandler(() -> LockSupport.unpark(server));
    call.onNext(WatchMessage.getDefaultInstance()); // before the serving thread may send on this call
    open.add(stream);
  }

  private void serve() {
    while (!closed) {
      boolean progress = false;
      for (Stream s : open) {
        progress |= s.pump();
      }
      if (!progress) {
        LockSupport.parkNanos(IDLE_NANOS);
      }
    }
    open.forEach(s -> s.end(Status.CANCELLED.withDescription("watch server stopped")));
  }

  private void release(Stream stream) {
    if (open.remove(stream)) {
      stream.subscription.close();
    }
  }

  /** Ends every stream (upstream's Stop) and refuses new ones. */
  @Override
  public void close() {
    closed = true;
    LockSupport.unpark(server);
    try {
      server.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    open.forEach(this::release);
  }

  /** One client's stream: its subscription and the events of the transaction being collected. */
  private final class Stream {
    final Subscription subscription;
    final ServerCallStreamObserver<WatchMessage> call;
    final boolean includeOldObject;
    final List<WatchMessage.Event> pending = new ArrayList<>();

    Stream(Subscription subscription, ServerCallStreamObserver<WatchMessage> call, boolean includeOldObject) {
      this.subscription = subscription;
      this.call = call;
      this.includeOldObject = includeOldObject;
    }

    /** Forwards what the transport can take now; true if anything was read. */
    boolean pump() {
      boolean progress = false;
      try {
        if (!call.isReady() && subscription.droppedTooSlow()) {
          subscription.poll(Duration.ZERO); // throws WatcherTooSlow
        }
        for (int i = 0; i < EVENTS_PER_ROUND && call.isReady() && !call.isCancelled(); i++) {
          Optional<StoreEvent> next = subscription.poll(Duration.ZERO);
          if (next.isEmpty()) {
            break;
          }
          progress = true;
          StoreEvent event = next.get();
          if (event.kind() != StoreEvent.Kind.COMMIT) {
            pending.add(WatchEvents.toEvent(event, includeOldObject));
          } else if (!pending.isEmpty()) {
            call.onNext(WatchMessage.newBuilder()
                .addAllEvents(pending)
                .setVersion(Version.newBuilder().setIndex(event.version()))
                .build());
            pending.clear();
          }
        }
      } catch (StoreException.Closed e) {
        end(Status.CANCELLED.withDescription("watch closed"));
      } catch (StoreException.WatcherTooSlow e) {
        log.info("dropping a watch client that stopped reading");
        end(Status.RESOURCE_EXHAUSTED.withDescription("watch client too slow: " + e.getMessage()));
      } catch (StoreException e) {
        end(ApiErrors.fromStore(e).getStatus());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException e) {
        if (!call.isCancelled()) {
          log.warn("watch stream failed", e);
          end(Status.INTERNAL.withDescription(String.valueOf(e.getMessage())));
        }
      }
      if (call.isCancelled()) {
        release(this);
      }
      return progress;
    }

    void end(Status status) {
      release(this);
      if (call.isCancelled()) {
        return;
      }
      try {
        call.onError(status.asRuntimeException());
      } catch (IllegalStateException alreadyClosed) {
        // completed meanwhile
      }
    }
  }
}
