package dev.swarmkit.swarmctl;

import com.google.protobuf.Duration;
import com.google.protobuf.Timestamp;
import dev.swarmkit.api.Annotations;
import dev.swarmkit.api.CAConfig;
import dev.swarmkit.api.Cluster;
import dev.swarmkit.api.ClusterSpec;
import dev.swarmkit.api.ContainerSpec;
import dev.swarmkit.api.DispatcherConfig;
import dev.swarmkit.api.EngineDescription;
import dev.swarmkit.api.JoinTokens;
import dev.swarmkit.api.ManagerStatus;
import dev.swarmkit.api.Meta;
import dev.swarmkit.api.Node;
import dev.swarmkit.api.NodeDescription;
import dev.swarmkit.api.NodeRole;
import dev.swarmkit.api.NodeSpec;
import dev.swarmkit.api.NodeStatus;
import dev.swarmkit.api.OrchestrationConfig;
import dev.swarmkit.api.Platform;
import dev.swarmkit.api.PluginDescription;
import dev.swarmkit.api.RaftMemberStatus;
import dev.swarmkit.api.ReplicatedService;
import dev.swarmkit.api.Resources;
import dev.swarmkit.api.RootCA;
import dev.swarmkit.api.ServiceSpec;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskSpec;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.api.TaskStatus;
import dev.swarmkit.api.Version;
import java.time.Instant;

/**
 * The objects of the upstream recording in /work/shared/reference (1 manager + 2 workers running a
 * 3-replica "web" service), with the same IDs, so outputs can be compared with the recorded text.
 */
final class ReferenceSwarm {
    static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
    static final String CLUSTER = "z9uyv4te5legm2oefua0o4ynp";
    static final String NODE_1 = "ifqro3cvh6p4tmgxcrfglw30x";
    static final String NODE_2 = "qjfzjc0ypm0nehygrf06h9c7w";
    static final String NODE_3 = "rzdkhwj96kz8lc1m23ty0ppyo";
    static final String WEB = "mt8p8lo88k5kaeu09spky955y";
    static final String TASK_1 = "ocb961s9an36ql0g59g46wsoc";
    static final String TASK_2 = "vizabgs9i4du1z8rl4czu0235";
    static final String TASK_3 = "szufu2affww3pzclvhtpaw9bt";

    private ReferenceSwarm() {
    }

    static void load(FakeManager manager) {
        manager.clusters.add(cluster());
        manager.nodes.add(node(NODE_1, "node-1", true));
        manager.nodes.add(node(NODE_2, "node-2", false));
        manager.nodes.add(node(NODE_3, "node-3", false));
        manager.services.add(web());
        // The order the manager returned them in the recording.
        manager.tasks.add(task(TASK_1, 1, NODE_1));
        manager.tasks.add(task(TASK_3, 3, NODE_3));
        manager.tasks.add(task(TASK_2, 2, NODE_2));
    }

    static Timestamp ago(long seconds) {
        Instant t = NOW.minusSeconds(seconds);
        return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
    }

    static Meta meta(long version, long createdSecondsAgo) {
        return Meta.newBuilder().setVersion(Version.newBuilder().setIndex(version))
                .setCreatedAt(ago(createdSecondsAgo)).build();
    }

    static Cluster cluster() {
        return Cluster.newBuilder()
                .setId(CLUSTER)
                .setMeta(meta(11, 3600))
                .setSpec(ClusterSpec.newBuilder()
                        .setAnnotations(Annotations.newBuilder().setName("default"))
                        .setOrchestration(OrchestrationConfig.newBuilder().setTaskHistoryRetentionLimit(5))
                        .setDispatcher(DispatcherConfig.newBuilder().setHeartbeatPeriod(Duration.newBuilder().setSeconds(5)))
                        .setCaConfig(CAConfig.newBuilder().setNodeCertExpiry(Duration.newBuilder().setSeconds(2160L * 3600))))
                .setRootCa(RootCA.newBuilder().setJoinTokens(JoinTokens.newBuilder()
                        .setWorker("SWMTKN-1-2ylxf1nqgikow3y3ek912aylxiknz7xljwad3rgx09n7ssjnp9-7tr28aub5xdxykd95wgt17q6o")
                        .setManager("SWMTKN-1-2ylxf1nqgikow3y3ek912aylxiknz7xljwad3rgx09n7ssjnp9-b3dij7wmo4rrx6mqmn7xz9z87")))
                .build();
    }

    static Node node(String id, String hostname, boolean leader) {
        Node.Builder node = Node.newBuilder()
                .setId(id)
                .setMeta(meta(20, 3600))
                .setSpec(NodeSpec.newBuilder()
                        .setMembership(NodeSpec.Membership.ACCEPTED)
                        .setAvailability(NodeSpec.Availability.ACTIVE)
                        .setDesiredRole(leader ? NodeRole.MANAGER : NodeRole.WORKER))
                .setRole(leader ? NodeRole.MANAGER : NodeRole.WORKER)
                .setStatus(NodeStatus.newBuilder().setState(NodeStatus.State.READY).setAddr("127.0.0.1"))
                .setDescription(NodeDescription.newBuilder()
                        .setHostname(hostname)
                        .setPlatform(Platform.newBuilder().setOs("linux").setArchitecture("x86_64"))
                        .setResources(Resources.newBuilder().setNanoCpus(2_000_000_000L)
                                .setMemoryBytes(24L * 1024 * 1024 * 1024))
                        .setEngine(EngineDescription.newBuilder()
                                .setEngineVersion("20.10.24+dfsg1")
                                .addPlugins(plugin("Volume", "local"))
                                .addPlugins(plugin("Network", "bridge"))
                                .addPlugins(plugin("Network", "host"))
                                .addPlugins(plugin("Network", "ipvlan"))
                                .addPlugins(plugin("Network", "macvlan"))
                                .addPlugins(plugin("Network", "null"))
                                .addPlugins(plugin("Network", "overlay"))));
        if (leader) {
            node.setManagerStatus(ManagerStatus.newBuilder().setLeader(true).setAddr("127.0.0.1:4242")
                    .setReachability(RaftMemberStatus.Reachability.REACHABLE));
        }
        return node.build();
    }

    private static PluginDescription plugin(String type, String name) {
        return PluginDescription.newBuilder().setType(type).setName(name).build();
    }

    static dev.swarmkit.api.Service web() {
        return dev.swarmkit.api.Service.newBuilder()
                .setId(WEB)
                .setMeta(meta(30, 60))
                .setSpec(ServiceSpec.newBuilder()
                        .setAnnotations(Annotations.newBuilder().setName("web"))
                        .setReplicated(ReplicatedService.newBuilder().setReplicas(3))
                        .setTask(TaskSpec.newBuilder().setContainer(webContainer())))
                .build();
    }

    static ContainerSpec webContainer() {
        return ContainerSpec.newBuilder().setImage("local/busybox:1").addCommand("/bin/sleep")
                .addArgs("1000000").build();
    }

    static Task task(String id, long slot, String nodeId) {
        return Task.newBuilder()
                .setId(id)
                .setMeta(meta(40, 20))
                .setServiceId(WEB)
                .setSlot(slot)
                .setNodeId(nodeId)
                .setServiceAnnotations(Annotations.newBuilder().setName("web"))
                .setSpec(TaskSpec.newBuilder().setContainer(webContainer()))
                .setDesiredState(TaskState.RUNNING)
                .setStatus(TaskStatus.newBuilder().setState(TaskState.RUNNING).setTimestamp(ago(15)))
                .build();
    }
}
