package dev.swarmkit.manager.controlapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Message;
import dev.swarmkit.api.ControlGrpc;
import io.grpc.CallOptions;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Hostile input on the Control API: random requests for every method (every field, huge strings and
 * maps, any code point, unknown enum values), random bytes, strings that are not UTF-8 and deeply
 * nested groups. A refusal is a client error (never INTERNAL or UNKNOWN) and changes nothing.
 */
class ControlFuzzTest {

  /** What a refusal of a bad request may say. */
  static final Set<Status.Code> CLIENT_ERRORS = Set.of(Status.Code.INVALID_ARGUMENT, Status.Code.NOT_FOUND,
      Status.Code.FAILED_PRECONDITION, Status.Code.ALREADY_EXISTS, Status.Code.UNIMPLEMENTED,
      Status.Code.RESOURCE_EXHAUSTED, Status.Code.OUT_OF_RANGE);

  private static ControlTestServer server;

  private static final List<MethodDescriptor<?, ?>> methods = ControlGrpc.getServiceDescriptor().getMethods()
      .stream().filter(m -> m.getType() == MethodDescriptor.MethodType.UNARY).toList();

  /** One server for all tries: state accumulates as accepted requests create objects. */
  private static synchronized ControlTestServer server() {
    if (server == null) {
      server = new ControlTestServer();
      server.createDefaultCluster();
    }
    return server;
  }

  @AfterContainer
  static synchronized void stop() throws InterruptedException {
    if (server != null) {
      server.close();
      server = null;
    }
  }

  @Provide
  Arbitrary<Integer> methodIndexes() {
    return Arbitraries.integers().between(0, ControlGrpc.getServiceDescriptor().getMethods().size() - 1);
  }

  @Property(tries = 600)
  void randomRequestsToEveryMethodAreAnsweredOrRefusedAsClientErrorsAndRefusalsChangeNothing(
      @ForAll("methodIndexes") int index, @ForAll long seed) {
    MethodDescriptor<?, ?> method = methods.get(index % methods.size());
    Message prototype = (Message) ((MethodDescriptor.PrototypeMarshaller<?>) method.getRequestMarshaller())
        .getMessagePrototype();
    Message request = new RandomMessages(new Random(seed), 4).fill(prototype);
    assertRefusedCleanlyOrAnswered(method.getFullMethodName(), request.toByteArray());
  }

  @Property(tries = 300)
  void randomBytesAreRefusedAsInvalidArgument(@ForAll("methodIndexes") int index, @ForAll long seed) {
    Random random = new Random(seed);
    byte[] bytes = new byte[1 + random.nextInt(random.nextBoolean() ? 64 : 4096)];
    random.nextBytes(bytes);
    assertRefusedCleanlyOrAnswered(methods.get(index % methods.size()).getFullMethodName(), bytes);
  }

  @Property(tries = 200)
  void stringsThatAreNotUtf8AreRefusedAsInvalidArgument(@ForAll("methodIndexes") int index, @ForAll long seed)
      throws IOException {
    // Field 1 of every Control request is a string (an ID) or a message whose field 1 is too (a spec's
    // annotations name): both ways, bytes that are not UTF-8 where a string is expected.
    Random random = new Random(seed);
    byte[] bad = {'a', (byte) 0xC3, (byte) 0x28, (byte) (0x80 + random.nextInt(64)), (byte) 0xFF};
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    CodedOutputStream coded = CodedOutputStream.newInstance(out);
    if (random.nextBoolean()) {
      coded.writeByteArray(1, bad);
    } else {
      ByteArrayOutputStream inner = new ByteArrayOutputStream();
      CodedOutputStream innerCoded = CodedOutputStream.newInstance(inner);
      innerCoded.writeByteArray(1, bad);
      innerCoded.flush();
      ByteArrayOutputStream spec = new ByteArrayOutputStream();
      CodedOutputStream specCoded = CodedOutputStream.newInstance(spec);
      specCoded.writeByteArray(1, inner.toByteArray());
      specCoded.flush();
      coded.writeByteArray(1, spec.toByteArray());
    }
    coded.flush();
    String method = methods.get(index % methods.size()).getFullMethodName();
    Status.Code code = assertRefusedCleanlyOrAnswered(method, out.toByteArray());
    assertThat(code).as(method).isNotEqualTo(Status.Code.OK);
  }

  @Property(tries = 30)
  void deeplyNestedMessagesAreRefusedAsInvalidArgument(@ForAll("methodIndexes") int index) throws IOException {
    // Groups nest without limit on the wire; the parser's recursion limit stops them.
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    CodedOutputStream coded = CodedOutputStream.newInstance(out);
    for (int i = 0; i < 500; i++) {
      coded.writeTag(99, com.google.protobuf.WireFormat.WIRETYPE_START_GROUP);
    }
    for (int i = 0; i < 500; i++) {
      coded.writeTag(99, com.google.protobuf.WireFormat.WIRETYPE_END_GROUP);
    }
    coded.flush();
    String method = methods.get(index % methods.size()).getFullMethodName();
    assertThat(assertRefusedCleanlyOrAnswered(method, out.toByteArray())).isEqualTo(Status.Code.INVALID_ARGUMENT);
  }

  /** Regression: an unknown enum number in a list filter reached the index and failed as INTERNAL. */
  @Example
  void listFiltersWithUnknownEnumNumbersMatchNothing() {
    ControlGrpc.ControlBlockingStub client = ControlGrpc.newBlockingStub(server().channel())
        .withDeadlineAfter(30, TimeUnit.SECONDS);
    assertThat(client.listTasks(dev.swarmkit.api.ListTasksRequest.newBuilder().setFilters(
        dev.swarmkit.api.ListTasksRequest.Filters.newBuilder().addDesiredStatesValue(1234)).build()).getTasksList())
        .isEmpty();
    assertThat(client.listNodes(dev.swarmkit.api.ListNodesRequest.newBuilder().setFilters(
        dev.swarmkit.api.ListNodesRequest.Filters.newBuilder().addRolesValue(77).addMembershipsValue(99)).build())
        .getNodesList()).isEmpty();
  }

  /** Regression: a duration beyond Go's time.Duration overflowed a long and failed as INTERNAL. */
  @Example
  void aDurationOutOfRangeIsRefusedAsInvalidArgument() {
    assertThat(createServiceWithRestartDelay("overflow", Long.MAX_VALUE, 999_999_999))
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
  }

  /** Regression (jqwik seed 5142233740453226476): the most negative seconds with negative nanos overflowed too. */
  @Example
  void theMostNegativeDurationIsRefusedAsInvalidArgument() {
    assertThat(createServiceWithRestartDelay("underflow", Long.MIN_VALUE, -1))
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
  }

  /** Sends CreateService for a service whose restart delay is the given raw protobuf duration. */
  private static Status.Code createServiceWithRestartDelay(String name, long seconds, int nanos) {
    dev.swarmkit.api.ServiceSpec spec = dev.swarmkit.api.ServiceSpec.newBuilder()
        .setAnnotations(dev.swarmkit.api.Annotations.newBuilder().setName(name))
        .setTask(dev.swarmkit.api.TaskSpec.newBuilder()
            .setContainer(dev.swarmkit.api.ContainerSpec.newBuilder().setImage("local/busybox:1"))
            .setRestart(dev.swarmkit.api.RestartPolicy.newBuilder()
                .setDelay(com.google.protobuf.Duration.newBuilder().setSeconds(seconds).setNanos(nanos))))
        .build();
    byte[] body = dev.swarmkit.api.CreateServiceRequest.newBuilder().setSpec(spec).build().toByteArray();
    return assertRefusedCleanlyOrAnswered("docker.swarmkit.v1.Control/CreateService", body);
  }

  /** Regression: a request that does not parse was answered UNKNOWN "Application error processing RPC". */
  @Example
  void aRequestThatDoesNotParseIsRefusedAsInvalidArgument() {
    assertThat(assertRefusedCleanlyOrAnswered("docker.swarmkit.v1.Control/CreateSecret", new byte[] {0x0a, 0x7f, 0x01}))
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
  }

  /** Sends raw request bytes; returns the status code after checking it is OK or a clean refusal. */
  private static Status.Code assertRefusedCleanlyOrAnswered(String fullMethodName, byte[] body) {
    ControlTestServer server = server();
    List<Object> before = server.snapshot();
    MethodDescriptor<byte[], byte[]> raw = MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName(fullMethodName)
        .setRequestMarshaller(RawBytes.INSTANCE).setResponseMarshaller(RawBytes.INSTANCE).build();
    try {
      ClientCalls.blockingUnaryCall(server.channel(), raw, CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS),
          body);
      return Status.Code.OK;
    } catch (StatusRuntimeException e) {
      assertThat(e.getStatus().getCode()).as("%s: %s", fullMethodName, e.getStatus()).isIn(CLIENT_ERRORS);
      assertThat(server.snapshot()).as("store after a refused %s", fullMethodName).isEqualTo(before);
      return e.getStatus().getCode();
    }
  }

  /** Request and response bodies as they are on the wire. */
  enum RawBytes implements MethodDescriptor.Marshaller<byte[]> {
    INSTANCE;

    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
