package dev.swarmkit.store.raft;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.swarmkit.api.InternalRaftRequest;
import dev.swarmkit.api.RaftMember;
import java.io.IOException;
import java.util.Arrays;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;

/**
 * What one replicated Ratis log entry carries: a store transaction (upstream's {@code
 * InternalRaftRequest}), or a membership record mapping a raft ID to its swarm node ID and address
 * (upstream keeps that mapping in the ConfChange context; Ratis peers only have an ID and address).
 * Encoded as one tag byte followed by the protobuf message.
 */
sealed interface LogEntry {

  byte STORE = 1;
  byte MEMBER_ADDED = 2;
  byte MEMBER_REMOVED = 3;
  byte DATA_KEY_ROTATED = 4;

  /** A store transaction. */
  record StoreEntry(InternalRaftRequest request) implements LogEntry {}

  /** A member joined (or changed address): {@code member} holds raft ID, node ID and address. */
  record MemberAdded(RaftMember member) implements LogEntry {}

  /** A member left for good; its raft ID may not come back. */
  record MemberRemoved(long raftId) implements LogEntry {}

  /**
   * From this entry on, the leader seals with {@code key} (upstream's DEK rotation). The entry itself
   * is sealed with the previous key, so only members holding that key learn the new one.
   */
  record DataKeyRotated(byte[] key) implements LogEntry {}

  /** The entry as a Ratis message, its bytes sealed with the current data key. */
  default Message toMessage(RaftEncryption encryption) {
    return Message.valueOf(UnsafeByteOperations.unsafeWrap(encryption.seal(encode())));
  }

  private byte[] encode() {
    byte tag;
    byte[] body;
    if (this instanceof StoreEntry s) {
      tag = STORE;
      body = s.request().toByteArray();
    } else if (this instanceof MemberAdded m) {
      tag = MEMBER_ADDED;
      body = m.member().toByteArray();
    } else if (this instanceof DataKeyRotated d) {
      tag = DATA_KEY_ROTATED;
      body = d.key().clone();
    } else {
      tag = MEMBER_REMOVED;
      body = RaftMember.newBuilder().setRaftId(((MemberRemoved) this).raftId()).build().toByteArray();
    }
    byte[] bytes = new byte[body.length + 1];
    bytes[0] = tag;
    System.arraycopy(body, 0, bytes, 1, body.length);
    return bytes;
  }

  static LogEntry decode(ByteString data, RaftEncryption encryption) throws IOException {
    byte[] bytes = encryption.open(data.toByteArray());
    if (bytes.length == 0) {
      throw new InvalidProtocolBufferException("empty raft log entry");
    }
    byte[] body = Arrays.copyOfRange(bytes, 1, bytes.length);
    return switch (bytes[0]) {
      case STORE -> new StoreEntry(InternalRaftRequest.parseFrom(body));
      case MEMBER_ADDED -> new MemberAdded(RaftMember.parseFrom(body));
      case MEMBER_REMOVED -> new MemberRemoved(RaftMember.parseFrom(body).getRaftId());
      case DATA_KEY_ROTATED -> new DataKeyRotated(body);
      default -> throw new InvalidProtocolBufferException("unknown raft log entry tag " + bytes[0]);
    };
  }
}
