package dev.swarmkit.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class WriteWhileWaitingTest {

  @Test
  void theCallerKeepsWorkingWhileTheWriteBlocksOnAnotherThread() throws Exception {
    try (WriteWhileWaiting w = new WriteWhileWaiting("test-writes")) {
      CountDownLatch callerWorked = new CountDownLatch(5);
      AtomicReference<String> writer = new AtomicReference<>();
      AtomicInteger calls = new AtomicInteger();
      w.run(() -> {
        writer.set(Thread.currentThread().getName());
        try {
          // The write ends only once the caller has run its step five times meanwhile.
          assertThat(callerWorked.await(10, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, () -> {
        calls.incrementAndGet();
        callerWorked.countDown();
      });
      assertThat(writer.get()).isEqualTo("test-writes");
      assertThat(calls.get()).isGreaterThanOrEqualTo(6); // five during the write, one after it
    }
  }

  @Test
  void whatTheWriteThrowsReachesTheCaller() {
    try (WriteWhileWaiting w = new WriteWhileWaiting("test-writes")) {
      assertThatThrownBy(() -> w.run(() -> {
        throw new StoreException("conflict");
      }, () -> { })).isInstanceOf(StoreException.class).hasMessage("conflict");
    }
  }
}
