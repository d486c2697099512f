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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The docker.swarmkit.v1.Watch service (upstream manager/watchapi): streams the store changes a
 * client selects, one message per committed transaction with the transaction's version, optionally
 * resuming after a version the client saw. Each stream is served by its own thread reading its store
 * subscription.
 */
public final class WatchService extends WatchGrpc.WatchImplBase implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(WatchService.class);
  /** How often a stream thread notices that its client went away or the service closed. */
  private static final Duration POLL = Duration.ofMillis(250);

  private final Store store;
  private final ExecutorService streams;
  private final Set<Subscription> open = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  public WatchService(Store store) {
    this.store = store;
    AtomicInteger count = new AtomicInteger();
    this.streams = Executors.newCachedThreadPool(r -> {
      Thread thread = new Thread(r, "watch-api-stream-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
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
    open.add(subscription);
    ServerCallStreamObserver<WatchMessage> call = (ServerCallStreamObserver<WatchMessage>) response;
    call.setOnCancelHandler(() -> release(subscription));
    call.onNext(WatchMessage.getDefaultInstance());
    streams.execute(() -> stream(subscription, call, request.getIncludeOldObject()));
  }

  private void stream(Subscription subscription, ServerCallStreamObserver<WatchMessage> call,
      boolean includeOldObject) {
    List<WatchMessage.Event> pending = new ArrayList<>();
    try {
      while (!call.isCancelled()) {
        if (closed) {
          call.onError(Status.CANCELLED.withDescription("watch server stopped").asRuntimeException());
          return;
        }
        Optional<StoreEvent> next = subscription.poll(POLL);
        if (next.isEmpty()) {
          continue;
        }
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
      if (!call.isCancelled()) {
        call.onError(Status.CANCELLED.withDescription("watch closed").asRuntimeException());
      }
    } catch (StoreException e) {
      call.onError(ApiErrors.fromStore(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      call.onError(Status.CANCELLED.withDescription("watch server stopped").asRuntimeException());
    } catch (RuntimeException e) {
      if (!call.isCancelled()) {
        log.warn("watch stream failed", e);
        call.onError(Status.INTERNAL.withDescription(String.valueOf(e.getMessage())).asRuntimeException());
      }
    } finally {
      release(subscription);
    }
  }

  private void release(Subscription subscription) {
    if (open.remove(subscription)) {
      subscription.close();
    }
  }

  /** Ends every stream (upstream's Stop) and refuses new ones. */
  @Override
  public void close() {
    closed = true;
    open.forEach(this::release);
    streams.shutdown();
  }
}
