package dev.swarmkit.manager.controlapi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.swarmkit.api.Annotations;
import dev.swarmkit.api.ConfigSpec;
import dev.swarmkit.api.CreateConfigRequest;
import dev.swarmkit.api.CreateConfigResponse;
import dev.swarmkit.store.MemoryStore;
import dev.swarmkit.store.ReadTx;
import dev.swarmkit.store.Store;
import dev.swarmkit.store.StoreEvent;
import dev.swarmkit.store.StoreException;
import dev.swarmkit.store.Subscription;
import dev.swarmkit.store.Tx;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class ErrorMappingTest {

  @Test
  void storeFailuresMapToTheirStatusCodes() {
    assertThat(code(new StoreException.NotFound("x"))).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(code(new StoreException.AlreadyExists("x"))).isEqualTo(Status.Code.ALREADY_EXISTS);
    assertThat(code(new StoreException.SequenceConflict())).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(ApiErrors.fromStore(new StoreException.SequenceConflict()).getStatus().getDescription())
        .isEqualTo("update out of sequence");
    assertThat(code(new StoreException.NotLeader("m2"))).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(code(new StoreException("boom"))).isEqualTo(Status.Code.INTERNAL);
  }

  private static Status.Code code(StoreException e) {
    return ApiErrors.fromStore(e).getStatus().getCode();
  }

  @Test
  void aWriteOnAFollowerIsUnavailable() {
    Store follower = new FollowerStore(new MemoryStore());
    ControlService control = new ControlService(follower, RaftMembershipView.none(), cluster -> "token",
        RootCaReconciler.keepCurrent(), NetworkDriverValidator.permissive());
    AtomicReference<Throwable> failure = new AtomicReference<>();

    control.createConfig(CreateConfigRequest.newBuilder().setSpec(ConfigSpec.newBuilder()
        .setAnnotations(Annotations.newBuilder().setName("c")).setData(com.google.protobuf.ByteString.copyFromUtf8("x")))
        .build(), new StreamObserver<CreateConfigResponse>() {
          @Override
          public void onNext(CreateConfigResponse value) {}

          @Override
          public void onError(Throwable t) {
            failure.set(t);
          }

          @Override
          public void onCompleted() {}
        });

    assertThat(failure.get()).isInstanceOfSatisfying(StatusRuntimeException.class,
        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
  }

  /** Reads like the real store; every write is refused as on a Raft follower. */
  private record FollowerStore(MemoryStore delegate) implements Store {
    @Override
    public <R> R view(Function<ReadTx, R> fn) {
      return delegate.view(fn);
    }

    @Override
    public void update(Consumer<Tx> fn) {
      throw new StoreException.NotLeader("m1");
    }

    @Override
    public void batch(Consumer<Batch> fn) {
      throw new StoreException.NotLeader("m1");
    }

    @Override
    public long currentVersion() {
      return delegate.currentVersion();
    }

    @Override
    public Subscription watch(Predicate<StoreEvent> filter) {
      return delegate.watch(filter);
    }

    @Override
    public <R> ViewAndWatch<R> viewAndWatch(Function<ReadTx, R> fn, Predicate<StoreEvent> filter) {
      return delegate.viewAndWatch(fn, filter);
    }

    @Override
    public Subscription watchFrom(long version, Predicate<StoreEvent> filter) {
      return delegate.watchFrom(version, filter);
    }
  }
}
