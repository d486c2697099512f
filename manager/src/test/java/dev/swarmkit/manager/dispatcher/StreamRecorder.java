package dev.swarmkit.manager.dispatcher;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Collects a call's messages and its end, for tests. */
public final class StreamRecorder<T> implements StreamObserver<T> {

  final LinkedBlockingQueue<T> messages = new LinkedBlockingQueue<>();
  public final CompletableFuture<Status> end = new CompletableFuture<>();

  @Override
  public void onNext(T value) {
    messages.add(value);
  }

  @Override
  public void onError(Throwable t) {
    end.complete(Status.fromThrowable(t));
  }

  @Override
  public void onCompleted() {
    end.complete(Status.OK);
  }

  /** The next message, failing the test if none arrives within 5 seconds. */
  T next() throws InterruptedException {
    T msg = messages.poll(5, TimeUnit.SECONDS);
    if (msg == null) {
      throw new AssertionError("no stream message within 5s (end: " + end.getNow(null) + ")");
    }
    return msg;
  }

  /** How the stream ended, waiting up to {@code timeout}. */
  Status awaitEnd(Duration timeout) throws Exception {
    return end.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }
}
