package dev.swarmkit.it.faults;

import com.google.protobuf.Message;
import dev.swarmkit.api.ControlGrpc;
import dev.swarmkit.api.ListClustersRequest;
import dev.swarmkit.api.ListConfigsRequest;
import dev.swarmkit.api.ListNetworksRequest;
import dev.swarmkit.api.ListNodesRequest;
import dev.swarmkit.api.ListSecretsRequest;
import dev.swarmkit.api.ListServicesRequest;
import dev.swarmkit.api.ListTasksRequest;
import dev.swarmkit.api.Node;
import dev.swarmkit.api.NodeStatus;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskState;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Reads each manager's own replica (Control reads with {@link dev.swarmkit.manager.LeaderForwarding#LOCAL_READ})
 * and checks it: a digest per table to compare managers, and the workload's acknowledged writes.
 */
final class StoreChecker {

  private StoreChecker() {}

  /** One manager's replica, table by table. */
  record Replica(Map<String, List<? extends Message>> tables) {
    Map<String, String> digests() {
      Map<String, String> out = new LinkedHashMap<>();
      tables.forEach((name, rows) -> out.put(name, digest(rows)));
      return out;
    }

    @SuppressWarnings("unchecked")
    <T extends Message> List<T> table(String name) {
      return (List<T>) tables.get(name);
    }
  }

  static Replica read(FaultSwarm.Member m) {
    ControlGrpc.ControlBlockingStub c = m.localReads(Duration.ofSeconds(15));
    Map<String, List<? extends Message>> t = new LinkedHashMap<>();
    t.put("clusters", c.listClusters(ListClustersRequest.getDefaultInstance()).getClustersList());
    // A node's manager status (leader, reachability) is each manager's own view, not replicated state.
    t.put("nodes", c.listNodes(ListNodesRequest.getDefaultInstance()).getNodesList().stream()
        .map(n -> n.toBuilder().clearManagerStatus().build()).toList());
    t.put("services", c.listServices(ListServicesRequest.getDefaultInstance()).getServicesList());
    t.put("tasks", c.listTasks(ListTasksRequest.getDefaultInstance()).getTasksList());
    t.put("networks", c.listNetworks(ListNetworksRequest.getDefaultInstance()).getNetworksList());
    t.put("secrets", c.listSecrets(ListSecretsRequest.getDefaultInstance()).getSecretsList());
    t.put("configs", c.listConfigs(ListConfigsRequest.getDefaultInstance()).getConfigsList());
    return new Replica(t);
  }

  private static String digest(List<? extends Message> rows) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      rows.stream().map(Message::toByteArray).map(HexFormat.of()::formatHex).sorted()
          .forEach(hex -> sha.update(hex.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
      return HexFormat.of().formatHex(sha.digest()).substring(0, 16) + "/" + rows.size();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Violations of the workload's acknowledged writes in one replica: an acknowledged create missing,
   * an acknowledged removal present, an update older than the last acknowledged one or newer than any
   * attempted, or a name held twice.
   */
  static List<String> violations(Replica replica, Workload workload) {
    List<String> out = new ArrayList<>();
    Map<String, Map<String, String>> byName = new LinkedHashMap<>();
    Map<String, Integer> nameCounts = new LinkedHashMap<>();
    for (dev.swarmkit.api.Secret s : replica.<dev.swarmkit.api.Secret>table("secrets")) {
      String name = "SECRET/" + s.getSpec().getAnnotations().getName();
      byName.put(name, s.getSpec().getAnnotations().getLabelsMap());
      nameCounts.merge(name, 1, Integer::sum);
    }
    for (dev.swarmkit.api.Service s : replica.<dev.swarmkit.api.Service>table("services")) {
      String name = "SERVICE/" + s.getSpec().getAnnotations().getName();
      byName.put(name, s.getSpec().getAnnotations().getLabelsMap());
      nameCounts.merge(name, 1, Integer::sum);
    }
    nameCounts.forEach((name, n) -> {
      if (n > 1) {
        out.add(name + " exists " + n + " times");
      }
    });
    for (Workload.Owned o : workload.owned()) {
      String key = o.kind + "/" + o.name;
      Map<String, String> labels = byName.get(key);
      if (o.removeAcked) {
        if (labels != null) {
          out.add(key + ": removal acknowledged but present");
        }
        continue;
      }
      if (!o.createAcked || o.removeAttempted) {
        continue; // outcome unknown
      }
      if (labels == null) {
        out.add(key + ": creation acknowledged but missing");
        continue;
      }
      int gen = Integer.parseInt(labels.getOrDefault("gen", "0"));
      if (gen < o.lastAckedGen || gen > o.maxAttemptedGen) {
        out.add(key + ": gen " + gen + " outside [" + o.lastAckedGen + ", " + o.maxAttemptedGen + "]");
      }
    }
    return out;
  }

  /**
   * Violations of the orchestration invariants: more than one task meant to run per slot of a
   * replicated service, or a task meant to run on a node the store calls DOWN.
   */
  static List<String> taskViolations(Replica replica) {
    List<String> out = new ArrayList<>();
    List<Task> tasks = replica.table("tasks");
    Map<String, Long> perSlot = tasks.stream()
        .filter(t -> t.getDesiredState() == TaskState.RUNNING && t.getSlot() != 0)
        .collect(Collectors.groupingBy(t -> t.getServiceId() + "." + t.getSlot(), Collectors.counting()));
    perSlot.forEach((slot, n) -> {
      if (n > 1) {
        out.add("slot " + slot + " has " + n + " tasks meant to run");
      }
    });
    Set<String> down = replica.<Node>table("nodes").stream()
        .filter(n -> n.getStatus().getState() == NodeStatus.State.DOWN).map(Node::getId).collect(Collectors.toSet());
    tasks.stream().filter(t -> t.getDesiredState() == TaskState.RUNNING && down.contains(t.getNodeId()))
        .forEach(t -> out.add("task " + t.getId() + " meant to run on DOWN node " + t.getNodeId()));
    return out;
  }

  /**
   * Waits until every manager's replica has the same digest of every table; on a timeout the
   * assertion names the tables that differ.
   */
  static void awaitIdenticalReplicas(List<FaultSwarm.Member> members, Duration atMost) {
    long deadline = System.nanoTime() + atMost.toNanos();
    Map<String, Map<String, String>> last = Map.of();
    while (System.nanoTime() < deadline) {
      try {
        last = perMember(members, m -> read(m).digests());
        if (last.values().stream().distinct().count() == 1) {
          return;
        }
      } catch (RuntimeException e) {
        last = Map.of("error", Map.of("reading", String.valueOf(e)));
      }
      try {
        Thread.sleep(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    throw new AssertionError("replicas still differ after " + atMost.toSeconds() + " s: " + last);
  }

  static <T> Map<String, T> perMember(List<FaultSwarm.Member> members, Function<FaultSwarm.Member, T> fn) {
    Map<String, T> out = new LinkedHashMap<>();
    for (FaultSwarm.Member m : members) {
      out.put(m.hostname, fn.apply(m));
    }
    return out;
  }
}
