package dev.swarmkit.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.Duration;
import com.google.protobuf.Message;
import org.junit.jupiter.api.Test;

/**
 * Pins the field numbers and types of the messages that cross the wire most against encodings
 * written by hand from upstream's definitions. A renumbered, retyped or renamed-into-another-field
 * change fails here instead of silently breaking compatibility with upstream peers.
 */
class PinnedEncodingTest {

  private static void assertEncodes(Message message, Wire expected) {
    assertThat(message.toByteArray()).as(message.getDescriptorForType().getFullName())
        .containsExactly(expected.toBytes());
  }

  private static Wire annotations(String name, String labelKey, String labelValue) {
    return Wire.message().string(1, name).mapEntry(2, labelKey, labelValue);
  }

  @Test
  void nodeSpecKeepsUpstreamFieldNumbers() {
    NodeSpec spec = NodeSpec.newBuilder()
        .setAnnotations(Annotations.newBuilder().setName("node-1").putLabels("zone", "a"))
        .setDesiredRole(NodeRole.MANAGER)
        .setMembership(NodeSpec.Membership.ACCEPTED)
        .setAvailability(NodeSpec.Availability.DRAIN)
        .build();
    assertEncodes(spec, Wire.message()
        .message(1, annotations("node-1", "zone", "a"))
        .varint(2, 1)
        .varint(3, 1)
        .varint(4, 2));
  }

  @Test
  void containerSpecKeepsUpstreamFieldNumbers() {
    ContainerSpec spec = ContainerSpec.newBuilder()
        .setImage("local/busybox:1")
        .addCommand("sleep")
        .addArgs("60")
        .addEnv("A=1")
        .setDir("/tmp")
        .setUser("nobody")
        .setStopGracePeriod(Duration.newBuilder().setSeconds(7))
        .setTty(true)
        .setHostname("h")
        .addHosts("10.0.0.1 db")
        .setStopSignal("SIGINT")
        .setPidsLimit(100)
        .addCapabilityAdd("NET_ADMIN")
        .build();
    assertEncodes(spec, Wire.message()
        .string(1, "local/busybox:1")
        .string(3, "sleep")
        .string(4, "60")
        .string(5, "A=1")
        .string(6, "/tmp")
        .string(7, "nobody")
        .message(9, Wire.message().varint(1, 7))
        .varint(13, 1)
        .string(14, "h")
        .string(17, "10.0.0.1 db")
        .string(20, "SIGINT")
        .varint(25, 100)
        .string(27, "NET_ADMIN"));
  }

  @Test
  void taskSpecAndServiceSpecKeepUpstreamFieldNumbers() {
    TaskSpec task = TaskSpec.newBuilder()
        .setContainer(ContainerSpec.newBuilder().setImage("img"))
        .setRestart(RestartPolicy.newBuilder().setConditionValue(1))
        .setForceUpdate(3)
        .build();
    Wire taskWire = Wire.message()
        .message(1, Wire.message().string(1, "img"))
        .message(4, Wire.message().varint(1, 1))
        .varint(9, 3);
    assertEncodes(task, taskWire);

    ServiceSpec service = ServiceSpec.newBuilder()
        .setAnnotations(Annotations.newBuilder().setName("web"))
        .setTask(task)
        .setReplicated(ReplicatedService.newBuilder().setReplicas(3))
        .build();
    assertEncodes(service, Wire.message()
        .message(1, Wire.message().string(1, "web"))
        .message(2, taskWire)
        .message(3, Wire.message().varint(1, 3)));

    ServiceSpec global = ServiceSpec.newBuilder().setGlobal(GlobalService.getDefaultInstance()).build();
    assertEncodes(global, Wire.message().bytes(4, new byte[0]));
  }

  @Test
  void taskKeepsUpstreamFieldNumbersAndStateValues() {
    Task task = Task.newBuilder()
        .setId("t1")
        .setMeta(Meta.newBuilder().setVersion(Version.newBuilder().setIndex(42)))
        .setServiceId("s1")
        .setSlot(2)
        .setNodeId("n1")
        .setStatus(TaskStatus.newBuilder().setState(TaskState.RUNNING).setMessage("started"))
        .setDesiredState(TaskState.SHUTDOWN)
        .setSpecVersion(Version.newBuilder().setIndex(7))
        .build();
    assertEncodes(task, Wire.message()
        .string(1, "t1")
        .message(2, Wire.message().message(1, Wire.message().varint(1, 42)))
        .string(4, "s1")
        .varint(5, 2)
        .string(6, "n1")
        .message(9, Wire.message().varint(2, 512).string(3, "started"))
        .varint(10, 640)
        .message(14, Wire.message().varint(1, 7)));
  }

  @Test
  void nodeKeepsUpstreamFieldNumbers() {
    Node node = Node.newBuilder()
        .setId("n1")
        .setStatus(NodeStatus.newBuilder().setState(NodeStatus.State.READY).setAddr("127.0.0.1"))
        .setManagerStatus(ManagerStatus.newBuilder().setRaftId(9).setAddr("127.0.0.1:4242").setLeader(true))
        .setRole(NodeRole.MANAGER)
        .setVXLANUDPPort(4789)
        .build();
    assertEncodes(node, Wire.message()
        .string(1, "n1")
        .message(5, Wire.message().varint(1, 2).string(3, "127.0.0.1"))
        .message(6, Wire.message().varint(1, 9).string(2, "127.0.0.1:4242").varint(3, 1))
        .varint(9, 1)
        .varint(11, 4789));
  }

  @Test
  void clusterKeepsUpstreamFieldNumbers() {
    Cluster cluster = Cluster.newBuilder()
        .setId("c1")
        .setSpec(ClusterSpec.newBuilder().setAnnotations(Annotations.newBuilder().setName("default")))
        .setRootCa(RootCA.newBuilder()
            .setCaCert(ByteString.copyFromUtf8("CERT"))
            .setJoinTokens(JoinTokens.newBuilder().setWorker("W").setManager("M")))
        .setFips(true)
        .setSubnetSize(24)
        .build();
    assertEncodes(cluster, Wire.message()
        .string(1, "c1")
        .message(3, Wire.message().message(1, Wire.message().string(1, "default")))
        .message(4, Wire.message()
            .string(2, "CERT")
            .message(4, Wire.message().string(1, "W").string(2, "M")))
        .varint(10, 1)
        .varint(12, 24));
  }

  @Test
  void sessionAndAssignmentsMessagesKeepUpstreamFieldNumbers() {
    SessionMessage session = SessionMessage.newBuilder()
        .setSessionId("s")
        .addManagers(WeightedPeer.newBuilder()
            .setPeer(Peer.newBuilder().setNodeId("m").setAddr("127.0.0.1:4242"))
            .setWeight(10))
        .setRootCA(ByteString.copyFromUtf8("PEM"))
        .build();
    assertEncodes(session, Wire.message()
        .string(1, "s")
        .message(3, Wire.message()
            .message(1, Wire.message().string(1, "m").string(2, "127.0.0.1:4242"))
            .varint(2, 10))
        .string(5, "PEM"));

    AssignmentsMessage assignments = AssignmentsMessage.newBuilder()
        .setType(AssignmentsMessage.Type.INCREMENTAL)
        .setAppliesTo("a")
        .setResultsIn("b")
        .addChanges(AssignmentChange.newBuilder()
            .setAssignment(Assignment.newBuilder().setTask(Task.newBuilder().setId("t")))
            .setAction(AssignmentChange.AssignmentAction.REMOVE))
        .build();
    assertEncodes(assignments, Wire.message()
        .varint(1, 1)
        .string(2, "a")
        .string(3, "b")
        .message(4, Wire.message()
            .message(1, Wire.message().message(1, Wire.message().string(1, "t")))
            .varint(2, 1)));
  }

  @Test
  void issueNodeCertificateRequestKeepsUpstreamFieldNumbers() {
    IssueNodeCertificateRequest request = IssueNodeCertificateRequest.newBuilder()
        .setCsr(ByteString.copyFromUtf8("CSR"))
        .setToken("SWMTKN-1-x-y")
        .setAvailability(NodeSpec.Availability.PAUSE)
        .build();
    assertEncodes(request, Wire.message()
        .string(2, "CSR")
        .string(3, "SWMTKN-1-x-y")
        .varint(4, 1));
  }
}
