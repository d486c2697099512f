package dev.swarmkit.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.swarmkit.agent.testing.SimulatedExecutor;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A session that goes wrong without telling anyone (an exception on the shared timer thread, a call
 * that neither answers nor fails) must not leave the agent waiting forever: it starts a new session.
 */
class AgentSessionStallTest {

  private static final Duration RPC_TIMEOUT = Duration.ofSeconds(1);

  @TempDir Path stateDir;
  private FakeDispatcher dispatcher;
  private Agent agent;
  private final AtomicInteger opened = new AtomicInteger();

  @BeforeEach
  void startDispatcher() throws Exception {
    dispatcher = new FakeDispatcher();
  }

  @AfterEach
  void stop() throws Exception {
    if (agent != null) {
      agent.stop();
    }
    dispatcher.close();
  }

  /** The first channel the agent opens is {@code broken(real)}; later ones are real. */
  private Agent startAgent(Function<ManagedChannel, ManagedChannel> broken) {
    ChannelFactory real = ChannelFactory.plaintext();
    ChannelFactory channels = address -> {
      ManagedChannel c = real.open(address);
      return opened.incrementAndGet() == 1 ? broken.apply(c) : c;
    };
    agent = new Agent(new AgentConfig(stateDir, () -> List.of(dispatcher.address()),
        new SimulatedExecutor("worker-1", t -> SimulatedExecutor.Behavior.runForever()), channels, List.of(),
        RPC_TIMEOUT, Duration.ofMillis(50), Duration.ofMillis(400), true));
    agent.start();
    return agent;
  }

  @Test
  void aSessionWhoseCallThrowsOnTheTimerThreadIsReplacedByANewOne() throws Exception {
    startAgent(real -> new Wrapped(real) {
      @Override
      public <Q, R> ClientCall<Q, R> newCall(MethodDescriptor<Q, R> method, CallOptions options) {
        throw new IllegalStateException("call cannot start");
      }
    });

    assertThat(agent.awaitReady(Duration.ofSeconds(10))).as("registered through a second session").isTrue();
    assertThat(opened.get()).isGreaterThanOrEqualTo(2);
    assertThat(dispatcher.sessions.get()).isEqualTo(1);
  }

  @Test
  void aSessionThatNeitherAnswersNorFailsIsReplacedAfterItsDeadline() throws Exception {
    startAgent(real -> new Wrapped(real) {
      @Override
      public <Q, R> ClientCall<Q, R> newCall(MethodDescriptor<Q, R> method, CallOptions options) {
        return new SilentCall<>();
      }
    });

    assertThat(agent.awaitReady(Duration.ofSeconds(10))).as("registered through a second session").isTrue();
    assertThat(opened.get()).isGreaterThanOrEqualTo(2);
  }

  @Test
  void anInterruptLeftOnTheEventLoopByAListenerDoesNotEndTheAgent() throws Exception {
    java.util.concurrent.atomic.AtomicBoolean interrupted = new java.util.concurrent.atomic.AtomicBoolean();
    agent = new Agent(new AgentConfig(stateDir, () -> List.of(dispatcher.address()),
        new SimulatedExecutor("worker-1", t -> SimulatedExecutor.Behavior.runForever()), ChannelFactory.plaintext(),
        List.of(), RPC_TIMEOUT, Duration.ofMillis(50), Duration.ofMillis(400), true));
    // Code run on the agent's thread that restores an interrupt it caught (a library, a listener).
    agent.onNodeChange((node, rootCa) -> {
      if (interrupted.compareAndSet(false, true)) {
        Thread.currentThread().interrupt();
      }
    });
    agent.start();
    assertThat(agent.awaitReady(Duration.ofSeconds(10))).isTrue();
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(interrupted::get);
    int before = dispatcher.sessions.get();

    dispatcher.dropSessions();

    org.awaitility.Awaitility.await("a new session after the manager dropped the agent's")
        .atMost(Duration.ofSeconds(10)).until(() -> dispatcher.sessions.get() > before);
  }

  /** A call that swallows everything, cancellation included: its listener never hears a thing. */
  private static final class SilentCall<Q, R> extends ClientCall<Q, R> {
    @Override
    public void start(Listener<R> listener, Metadata headers) {}

    @Override
    public void request(int n) {}

    @Override
    public void cancel(String message, Throwable cause) {}

    @Override
    public void halfClose() {}

    @Override
    public void sendMessage(Q message) {}
  }

  /** A channel that delegates its lifecycle to a real one. */
  private abstract static class Wrapped extends ManagedChannel {
    private final ManagedChannel real;

    Wrapped(ManagedChannel real) {
      this.real = real;
    }

    @Override
    public ManagedChannel shutdown() {
      real.shutdown();
      return this;
    }

    @Override
    public boolean isShutdown() {
      return real.isShutdown();
    }

    @Override
    public boolean isTerminated() {
      return real.isTerminated();
    }

    @Override
    public ManagedChannel shutdownNow() {
      real.shutdownNow();
      return this;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
      return real.awaitTermination(timeout, unit);
    }

    @Override
    public String authority() {
      return real.authority();
    }
  }
}
