package dev.swarmkit.agent.testing;

import dev.swarmkit.agent.exec.Controller;
import dev.swarmkit.agent.exec.DependencyStore;
import dev.swarmkit.agent.secrets.Dependencies;
import dev.swarmkit.agent.exec.Executor;
import dev.swarmkit.agent.exec.ExecutorException;
import dev.swarmkit.api.Config;
import dev.swarmkit.api.EngineDescription;
import dev.swarmkit.api.Node;
import dev.swarmkit.api.NodeDescription;
import dev.swarmkit.api.Platform;
import dev.swarmkit.api.Resources;
import dev.swarmkit.api.Secret;
import dev.swarmkit.api.Task;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * An executor that simulates containers in memory, so orchestration can be tested at scale without
 * Docker. Each task's behaviour (run time, exit code, failures) comes from a function, by default
 * {@link Behavior#fromLabels}: container labels {@code swarmkit.sim.run-time} ("500ms", "2s", "1m";
 * absent: run until stopped), {@code swarmkit.sim.exit-code}, {@code swarmkit.sim.prepare-error}
 * (the task is rejected) and {@code swarmkit.sim.start-error} (the task fails). A container's log has
 * a line on start ("started TASK-ID", or the {@code swarmkit.sim.log} label's text) and one on exit
 * ("exited with code N", on stderr when N is not 0).
 *
 * <p>Containers outlive agents: give a restarted agent the same executor and it finds them again.
 */
public final class SimulatedExecutor implements Executor {

  /** How a simulated task behaves. {@code runTime} null: runs until stopped. */
  public record Behavior(Duration runTime, int exitCode, String prepareError, String startError) {

    public static Behavior runForever() {
      return new Behavior(null, 0, null, null);
    }

    public static Behavior exitAfter(Duration runTime, int exitCode) {
      return new Behavior(runTime, exitCode, null, null);
    }

    public static Behavior rejectOnPrepare(String error) {
      return new Behavior(null, 0, error, null);
    }

    public static Behavior failOnStart(String error) {
      return new Behavior(null, 0, null, error);
    }

    /** Reads the {@code swarmkit.sim.*} container labels of the task. */
    public static Behavior fromLabels(Task task) {
      Map<String, String> labels = task.getSpec().getContainer().getLabelsMap();
      String runTime = labels.get("swarmkit.sim.run-time");
      return new Behavior(runTime == null ? null : parseDuration(runTime),
          Integer.parseInt(labels.getOrDefault("swarmkit.sim.exit-code", "0")),
          labels.get("swarmkit.sim.prepare-error"), labels.get("swarmkit.sim.start-error"));
    }

    private static Duration parseDuration(String s) {
      return dev.swarmkit.api.util.GoDurations.parseDuration(s.trim());
    }
  }

  /** One simulated container's state. */
  public enum State {
    CREATED,
    RUNNING,
    EXITED
  }

  private static final ScheduledExecutorService EXITS = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "simulated-exits");
    t.setDaemon(true);
    return t;
  });

  private final String hostname;
  private final Function<Task, Behavior> behaviors;
  private final Map<String, SimulatedContainer> containers = new ConcurrentHashMap<>();
  private final Map<String, Integer> starts = new ConcurrentHashMap<>();
  private final Dependencies dependencies = new Dependencies();
  private volatile Node node;

  public SimulatedExecutor(String hostname, Function<Task, Behavior> behaviors) {
    this.hostname = hostname;
    this.behaviors = behaviors;
  }

  public SimulatedExecutor(String hostname) {
    this(hostname, Behavior::fromLabels);
  }

  @Override
  public NodeDescription describe() {
    return NodeDescription.newBuilder()
        .setHostname(hostname)
        .setPlatform(Platform.newBuilder().setOs("linux").setArchitecture("x86_64"))
        .setResources(Resources.newBuilder().setNanoCpus(4_000_000_000L).setMemoryBytes(8L << 30))
        // The network driver the manager's allocator records, so tasks on networks can be placed here.
        .setEngine(EngineDescription.newBuilder().setEngineVersion("simulated")
            .addPlugins(dev.swarmkit.api.PluginDescription.newBuilder().setType("Network").setName("bridge")))
        .build();
  }

  @Override
  public void configure(Node node) {
    this.node = node;
  }

  /** The node object last passed down by the agent. */
  public Optional<Node> configuredNode() {
    return Optional.ofNullable(node);
  }

  @Override
  public Controller controller(Task task) {
    return new SimulatedController(task);
  }

  @Override
  public DependencyStore dependencies() {
    return dependencies;
  }

  /** The task's container state, if it exists. */
  public Optional<State> state(String taskId) {
    SimulatedContainer c = containers.get(taskId);
    return c == null ? Optional.empty() : Optional.of(c.state());
  }

  /** How many times the task's container was started (restarts and duplicates show here). */
  public int startCount(String taskId) {
    return starts.getOrDefault(taskId, 0);
  }

  /** IDs of tasks whose container is running. */
  public List<String> running() {
    return containers.entrySet().stream().filter(e -> e.getValue().state() == State.RUNNING)
        .map(Map.Entry::getKey).sorted().toList();
  }

  /** Makes a running container exit now, as if its process ended. */
  public void exit(String taskId, int exitCode) {
    SimulatedContainer c = containers.get(taskId);
    if (c != null) {
      c.exit(exitCode);
    }
  }

  /** Removes a container behind the agent's back (for adoption tests). */
  public void destroy(String taskId) {
    SimulatedContainer c = containers.remove(taskId);
    if (c != null) {
      c.exit(137);
    }
  }

  public Optional<Secret> secret(String id) {
    return dependencies.secret(id);
  }

  public Optional<Config> config(String id) {
    return dependencies.config(id);
  }

  private final class SimulatedController implements Controller {
    private volatile Task task;

    SimulatedController(Task task) {
      this.task = task;
    }

    @Override
    public void update(Task newer) {
      this.task = newer;
    }

    @Override
    public void prepare() throws ExecutorException {
      if (containers.containsKey(task.getId())) {
        throw new ExecutorException.AlreadyDone("container already exists");
      }
      Behavior b = behaviors.apply(task);
      if (b.prepareError() != null) {
        throw new ExecutorException.Rejected(b.prepareError(), null);
      }
      containers.putIfAbsent(task.getId(), new SimulatedContainer(b));
    }

    @Override
    public void start() throws ExecutorException {
      SimulatedContainer c = container();
      if (c.state() != State.CREATED) {
        throw new ExecutorException.AlreadyDone("container already started");
      }
      if (c.behavior.startError() != null) {
        c.exit(128);
        throw new ExecutorException(c.behavior.startError());
      }
      c.start(task.getSpec().getContainer().getLabelsMap().getOrDefault("swarmkit.sim.log", "started " + task.getId()));
      starts.merge(task.getId(), 1, Integer::sum);
      if (c.behavior.runTime() != null) {
        EXITS.schedule(() -> c.exit(c.behavior.exitCode()), c.behavior.runTime().toMillis(),
            TimeUnit.MILLISECONDS);
      }
    }

    @Override
    public void waitExit() throws ExecutorException, InterruptedException {
      int code = container().awaitExit();
      if (code != 0) {
        throw new ExecutorException.ExitError(code);
      }
    }

    @Override
    public java.util.concurrent.CompletableFuture<Void> exitFuture() {
      java.util.concurrent.CompletableFuture<Void> result = new java.util.concurrent.CompletableFuture<>();
      SimulatedContainer c;
      try {
        c = container();
      } catch (ExecutorException e) {
        result.completeExceptionally(e);
        return result;
      }
      c.exited.thenAccept(code -> {
        if (code == 0) {
          result.complete(null);
        } else {
          result.completeExceptionally(new ExecutorException.ExitError(code));
        }
      });
      return result;
    }

    @Override
    public void shutdown() throws ExecutorException {
      SimulatedContainer c = containers.get(task.getId());
      if (c != null) {
        c.exit(0);
      }
    }

    @Override
    public void terminate() {
      SimulatedContainer c = containers.get(task.getId());
      if (c != null) {
        c.exit(137);
      }
    }

    @Override
    public void remove() {
      SimulatedContainer c = containers.remove(task.getId());
      if (c != null) {
        c.exit(137);
      }
    }

    @Override
    public void logs(LogOptions options, LogSink sink) throws InterruptedException {
      // Like a real runtime's controller, wait until the container has been started.
      SimulatedContainer c;
      while ((c = containers.get(task.getId())) == null || c.state() == State.CREATED) {
        Thread.sleep(20);
      }
      c.logs(options, sink);
    }

    @Override
    public ContainerState inspect() {
      SimulatedContainer c = containers.get(task.getId());
      if (c == null) {
        return ContainerState.ABSENT;
      }
      return switch (c.state()) {
        case CREATED -> ContainerState.CREATED;
        case RUNNING -> ContainerState.RUNNING;
        case EXITED -> ContainerState.EXITED;
      };
    }

    private SimulatedContainer container() throws ExecutorException {
      SimulatedContainer c = containers.get(task.getId());
      if (c == null) {
        throw new ExecutorException("No such container: " + task.getId());
      }
      return c;
    }
  }

  private static final class SimulatedContainer {
    final Behavior behavior;
    private State state = State.CREATED;
    private int exitCode;
    /** Completed with the exit code; lets the agent wait without a thread. */
    final java.util.concurrent.CompletableFuture<Integer> exited = new java.util.concurrent.CompletableFuture<>();

    SimulatedContainer(Behavior behavior) {
      this.behavior = behavior;
    }

    synchronized State state() {
      return state;
    }

    private final java.util.List<LogLine> lines = new java.util.ArrayList<>();

    private record LogLine(boolean stderr, long timestamp, byte[] data) {}

    synchronized void start(String message) {
      state = State.RUNNING;
      lines.add(new LogLine(false, System.currentTimeMillis(), (message + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8)));
      notifyAll();
    }

    void exit(int code) {
      synchronized (this) {
        if (state == State.EXITED) {
          return;
        }
        state = State.EXITED;
        exitCode = code;
        lines.add(new LogLine(code != 0, System.currentTimeMillis(),
            ("exited with code " + code + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        notifyAll();
      }
      exited.complete(code);
    }

    /** Sends the log lines the options select; with follow, waits for more until the container exits. */
    void logs(Controller.LogOptions options, Controller.LogSink sink) throws InterruptedException {
      int next;
      synchronized (this) {
        next = options.tail() >= 0 ? (int) Math.max(0, lines.size() - options.tail()) : 0;
      }
      while (true) {
        LogLine line;
        synchronized (this) {
          while (next >= lines.size()) {
            if (!options.follow() || state == State.EXITED) {
              return;
            }
            wait();
          }
          line = lines.get(next++);
        }
        boolean wanted = (line.stderr() ? options.stderr() : options.stdout())
            && line.timestamp() >= options.sinceMillis();
        if (wanted && !sink.accept(line.stderr(), line.timestamp(), line.data())) {
          return;
        }
      }
    }

    synchronized int awaitExit() throws InterruptedException {
      while (state != State.EXITED) {
        wait();
      }
      return exitCode;
    }
  }
}
