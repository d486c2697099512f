package dev.swarmkit.it.faults;

import com.google.protobuf.ByteString;
import dev.swarmkit.api.Annotations;
import dev.swarmkit.api.ContainerSpec;
import dev.swarmkit.api.ControlGrpc;
import dev.swarmkit.api.CreateSecretRequest;
import dev.swarmkit.api.CreateServiceRequest;
import dev.swarmkit.api.GetSecretRequest;
import dev.swarmkit.api.GetServiceRequest;
import dev.swarmkit.api.RemoveSecretRequest;
import dev.swarmkit.api.RemoveServiceRequest;
import dev.swarmkit.api.ReplicatedService;
import dev.swarmkit.api.Secret;
import dev.swarmkit.api.SecretSpec;
import dev.swarmkit.api.Service;
import dev.swarmkit.api.ServiceSpec;
import dev.swarmkit.api.TaskSpec;
import dev.swarmkit.api.UpdateSecretRequest;
import dev.swarmkit.api.UpdateServiceRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Clients writing through every running manager while faults run: creates, versioned updates and
 * removes of secrets and services. Each client owns its objects, so what each object must look like
 * afterwards follows from the calls that were acknowledged: a {@link Owned} records the last
 * acknowledged and the last attempted update ("gen" label), and whether a removal was acknowledged.
 */
final class Workload implements AutoCloseable {

  static final Duration CALL_DEADLINE = Duration.ofSeconds(10);

  enum Kind { SECRET, SERVICE }

  /** One object a client created (or tried to), with what the acknowledged calls imply. */
  static final class Owned {
    final Kind kind;
    final String name;
    volatile String id;
    volatile boolean createAcked;
    volatile int lastAckedGen;
    volatile int maxAttemptedGen;
    volatile boolean removeAttempted;
    volatile boolean removeAcked;

    Owned(Kind kind, String name) {
      this.kind = kind;
      this.name = name;
    }
  }

  /** One call's outcome, for counts and latency. */
  record Call(long startNanos, long endNanos, Status.Code code, boolean write) {
    double millis() {
      return (endNanos - startNanos) / 1e6;
    }
  }

  private final FaultSwarm swarm;
  private final long seed;
  private final int clients;
  private final String prefix;
  private final List<Owned> owned = new CopyOnWriteArrayList<>();
  private final List<Call> calls = Collections.synchronizedList(new ArrayList<>());
  private final Map<String, Integer> failureMessages = new ConcurrentHashMap<>();
  private final AtomicLong counter = new AtomicLong();
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean running;

  Workload(FaultSwarm swarm, int clients, long seed) {
    this.swarm = swarm;
    this.clients = clients;
    this.seed = seed;
    this.prefix = "w" + Long.toHexString(seed & 0xffffff);
  }

  Workload start() {
    running = true;
    for (int i = 0; i < clients; i++) {
      Random random = new Random(seed * 31 + i);
      int client = i;
      Thread t = new Thread(() -> loop(client, random), "workload-" + i);
      t.setDaemon(true);
      t.start();
      threads.add(t);
    }
    return this;
  }

  private void loop(int client, Random random) {
    List<Owned> mine = new ArrayList<>();
    while (running) {
      List<FaultSwarm.Member> up = swarm.up();
      if (up.isEmpty()) {
        sleep(200);
        continue;
      }
      FaultSwarm.Member via = up.get(random.nextInt(up.size()));
      currentVia.set(via);
      ControlGrpc.ControlBlockingStub control;
      try {
        control = via.control(CALL_DEADLINE);
      } catch (RuntimeException e) {
        sleep(200);
        continue;
      }
      double p = random.nextDouble();
      if (mine.size() < 2 || p < 0.35) {
        mine.add(create(control, random.nextDouble() < 0.7 ? Kind.SECRET : Kind.SERVICE, client));
      } else if (p < 0.8) {
        update(control, mine.get(random.nextInt(mine.size())));
      } else {
        Owned o = mine.remove(random.nextInt(mine.size()));
        remove(control, o);
      }
      mine.removeIf(o -> !o.createAcked);
      sleep(50 + random.nextInt(100));
    }
  }

  private Owned create(ControlGrpc.ControlBlockingStub control, Kind kind, int client) {
    Owned o = new Owned(kind, prefix + "-c" + client + "-" + counter.incrementAndGet());
    owned.add(o);
    call(via(control), () -> {
      if (kind == Kind.SECRET) {
        o.id = control.createSecret(CreateSecretRequest.newBuilder().setSpec(SecretSpec.newBuilder()
            .setAnnotations(Annotations.newBuilder().setName(o.name))
            .setData(ByteString.copyFromUtf8(o.name))).build()).getSecret().getId();
      } else {
        o.id = control.createService(CreateServiceRequest.newBuilder().setSpec(ServiceSpec.newBuilder()
            .setAnnotations(Annotations.newBuilder().setName(o.name))
            .setTask(TaskSpec.newBuilder().setContainer(ContainerSpec.newBuilder().setImage("local/busybox:1")))
            .setReplicated(ReplicatedService.newBuilder().setReplicas(2))).build()).getService().getId();
      }
      o.createAcked = true;
    });
    return o;
  }

  private void update(ControlGrpc.ControlBlockingStub control, Owned o) {
    int gen = ++o.maxAttemptedGen;
    call(via(control), () -> {
      if (o.kind == Kind.SECRET) {
        Secret s = control.getSecret(GetSecretRequest.newBuilder().setSecretId(o.id).build()).getSecret();
        SecretSpec.Builder spec = s.getSpec().toBuilder();
        spec.getAnnotationsBuilder().putLabels("gen", Integer.toString(gen));
        control.updateSecret(UpdateSecretRequest.newBuilder().setSecretId(o.id)
            .setSecretVersion(s.getMeta().getVersion()).setSpec(spec).build());
      } else {
        Service s = control.getService(GetServiceRequest.newBuilder().setServiceId(o.id).build()).getService();
        ServiceSpec.Builder spec = s.getSpec().toBuilder();
        spec.getAnnotationsBuilder().putLabels("gen", Integer.toString(gen));
        control.updateService(UpdateServiceRequest.newBuilder().setServiceId(o.id)
            .setServiceVersion(s.getMeta().getVersion()).setSpec(spec).build());
      }
      o.lastAckedGen = gen;
    });
  }

  private void remove(ControlGrpc.ControlBlockingStub control, Owned o) {
    o.removeAttempted = true;
    call(via(control), () -> {
      if (o.kind == Kind.SECRET) {
        control.removeSecret(RemoveSecretRequest.newBuilder().setSecretId(o.id).build());
      } else {
        control.removeService(RemoveServiceRequest.newBuilder().setServiceId(o.id).build());
      }
      o.removeAcked = true;
    });
  }

  private final ThreadLocal<FaultSwarm.Member> currentVia = new ThreadLocal<>();

  private FaultSwarm.Member via(ControlGrpc.ControlBlockingStub unused) {
    return currentVia.get();
  }

  /**
   * Runs one write through {@code via} and records its outcome. Failures through a manager that is
   * itself under a fault are counted apart: what matters is what the healthy managers answer.
   */
  private void call(FaultSwarm.Member via, Runnable body) {
    boolean faultedAtStart = via != null && swarm.isFaulted(via);
    long start = System.nanoTime();
    Status.Code code = Status.Code.OK;
    try {
      body.run();
    } catch (StatusRuntimeException e) {
      code = e.getStatus().getCode();
      boolean faulted = faultedAtStart || (via != null && swarm.isFaulted(via));
      String description = String.valueOf(e.getStatus().getDescription());
      failureMessages.merge((faulted ? FAULTED_PREFIX : "") + code + ": " + description.replaceAll("[0-9]+", "N"),
          1, Integer::sum);
    }
    calls.add(new Call(start, System.nanoTime(), code, true));
  }

  /** Marks failure messages of calls through a manager that was under a fault. */
  static final String FAULTED_PREFIX = "[through the faulted manager] ";

  /** When the first write that started at or after {@code nanos} was acknowledged, if one was. */
  java.util.OptionalLong firstAckAfter(long nanos) {
    synchronized (calls) {
      return calls.stream().filter(c -> c.write() && c.code() == Status.Code.OK && c.startNanos() >= nanos)
          .mapToLong(Call::endNanos).min();
    }
  }

  List<Owned> owned() {
    return List.copyOf(owned);
  }

  List<Call> calls() {
    synchronized (calls) {
      return List.copyOf(calls);
    }
  }

  Map<String, Integer> failureMessages() {
    return Map.copyOf(failureMessages);
  }

  String prefix() {
    return prefix;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    running = false;
    for (Thread t : threads) {
      try {
        t.join(30_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
