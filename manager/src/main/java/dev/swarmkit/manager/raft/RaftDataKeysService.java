package dev.swarmkit.manager.raft;

import com.google.protobuf.ByteString;
import dev.swarmkit.api.GetRaftDataKeysRequest;
import dev.swarmkit.api.GetRaftDataKeysResponse;
import dev.swarmkit.api.RaftDataKeysGrpc;
import dev.swarmkit.store.raft.DataKeys;
import dev.swarmkit.store.raft.RaftEncryption;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.Arrays;

/**
 * Serves this manager's Raft data keys to other managers (manager certificates only, by the method's
 * TLS authorization): a joining manager needs them to read the sealed log it is sent.
 */
public final class RaftDataKeysService extends RaftDataKeysGrpc.RaftDataKeysImplBase {

  private final RaftEncryption encryption;

  public RaftDataKeysService(RaftEncryption encryption) {
    this.encryption = encryption;
  }

  @Override
  public void getRaftDataKeys(GetRaftDataKeysRequest request, StreamObserver<GetRaftDataKeysResponse> response) {
    DataKeys keys = encryption.keys().orElse(null);
    if (keys == null) {
      response.onError(Status.FAILED_PRECONDITION.withDescription("this manager's raft data is not encrypted")
          .asRuntimeException());
      return;
    }
    byte[] encoded = keys.encode();
    GetRaftDataKeysResponse.Builder out = GetRaftDataKeysResponse.newBuilder();
    for (int i = 0; i < encoded.length; i += DataKeys.KEY_BYTES) {
      out.addKeys(ByteString.copyFrom(Arrays.copyOfRange(encoded, i, i + DataKeys.KEY_BYTES)));
    }
    response.onNext(out.build());
    response.onCompleted();
  }

  /** The keys of a response, as {@link DataKeys}. */
  public static DataKeys keysOf(GetRaftDataKeysResponse response) {
    ByteString all = ByteString.EMPTY;
    for (ByteString k : response.getKeysList()) {
      all = all.concat(k);
    }
    return DataKeys.decode(all.toByteArray());
  }
}
