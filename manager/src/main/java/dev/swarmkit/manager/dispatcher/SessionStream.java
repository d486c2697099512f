package dev.swarmkit.manager.dispatcher;

import dev.swarmkit.api.SessionMessage;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's Session stream, served without a thread of its own: changes are coalesced into one
 * pending flag and sent from the dispatcher's shared executor when the transport is ready, so a slow
 * node never builds a backlog and never holds a manager thread.
 */
final class SessionStream implements SessionSignals {

  private static final Logger log = LoggerFactory.getLogger(SessionStream.class);

  private final ServerCallStreamObserver<SessionMessage> call;
  private final Executor executor;
  private volatile Supplier<SessionMessage> messages;
  private volatile Runnable onEnd = () -> { };
  private final AtomicBoolean dirty = new AtomicBoolean();
  private final AtomicBoolean ended = new AtomicBoolean();

  /** Must be created on the handler's thread: gRPC accepts the call's handlers only there. */
  SessionStream(ServerCallStreamObserver<SessionMessage> call, Executor executor) {
    this.call = call;
    this.executor = executor;
    call.setOnReadyHandler(() -> {
      if (dirty.get()) {
        executeQuietly(this::flush);
      }
    });
    call.setOnCancelHandler(() -> end(Status.CANCELLED));
  }

  /** Starts sending: {@code messages} builds each message, {@code onEnd} runs when the stream ends. */
  void start(Supplier<SessionMessage> messages, Runnable onEnd) {
    this.onEnd = onEnd;
    this.messages = messages;
    changed(); // the first message carries the session ID
  }

  boolean ended() {
    return ended.get();
  }

  @Override
  public void changed() {
    if (dirty.compareAndSet(false, true)) {
      executeQuietly(this::flush);
    }
  }

  @Override
  public void end(Status reason) {
    if (ended.compareAndSet(false, true)) {
      executeQuietly(() -> finish(reason));
    }
  }

  private void executeQuietly(Runnable r) {
    try {
      executor.execute(r);
    } catch (java.util.concurrent.RejectedExecutionException stopped) {
      r.run(); // the dispatcher stopped: finish on the caller's thread
    }
  }

  private synchronized void flush() {
    if (ended.get() || messages == null || call.isCancelled() || !dirty.get() || !call.isReady()) {
      return; // not ready: the onReady handler flushes later
    }
    dirty.set(false);
    try {
      call.onNext(messages.get());
    } catch (RuntimeException e) {
      log.debug("session message not sent: {}", e.toString());
      end(Status.UNAVAILABLE.withDescription(String.valueOf(e.getMessage())));
    }
  }

  private synchronized void finish(Status reason) {
    onEnd.run();
    if (reason.getCode() == Status.Code.CANCELLED || call.isCancelled()) {
      return;
    }
    try {
      call.onError(reason.asRuntimeException());
    } catch (IllegalStateException alreadyClosed) {
      // the call completed meanwhile
    }
  }
}
