package dev.swarmkit.store;

/** Failures of store operations; each subtype maps to one gRPC status in the API layer. */
public class StoreException extends RuntimeException {

  public StoreException(String message) {
    super(message);
  }

  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }

  /** An update carried a version other than the stored one (upstream: "update out of sequence"). */
  public static final class SequenceConflict extends StoreException {
    public SequenceConflict() {
      super("update out of sequence");
    }
  }

  /** The ID or (unique) name of a created object is already taken. */
  public static final class AlreadyExists extends StoreException {
    public AlreadyExists(String message) {
      super(message);
    }
  }

  /** A resource names a kind no extension defines (upstream ErrNoKind). */
  public static final class NoKind extends StoreException {
    public NoKind() {
      super("object kind is unregistered");
    }
  }

  /**
   * The change is refused because of the state of other objects or of the object itself (e.g. an
   * extension still has resources, or extensions are immutable).
   */
  public static final class FailedPrecondition extends StoreException {
    public FailedPrecondition(String message) {
      super(message);
    }
  }

  /** The object to update or delete does not exist. */
  public static final class NotFound extends StoreException {
    public NotFound(String message) {
      super(message);
    }
  }

  /** This store member cannot accept writes now; {@code leaderAddress} may name the one that can. */
  public static final class NotLeader extends StoreException {
    private final String leaderId;

    public NotLeader(String leaderId) {
      super("not the raft leader" + (leaderId == null ? "" : " (leader is " + leaderId + ")"));
      this.leaderId = leaderId;
    }

    public String leaderId() {
      return leaderId;
    }
  }

  /**
   * The replicated store cannot take the request now (no quorum, the member is stopped, or the
   * request timed out); the message says why and what the operator can do.
   */
  public static final class Unavailable extends StoreException {
    public Unavailable(String message) {
      super(message);
    }
  }

  /** A transaction is larger than one replicated entry may be; use {@link Store#batch}. */
  public static final class TransactionTooLarge extends StoreException {
    public TransactionTooLarge(String message) {
      super(message);
    }
  }

  /** The watcher fell behind by more than its queue bound and was closed; re-read and re-watch. */
  public static final class WatcherTooSlow extends StoreException {
    public WatcherTooSlow() {
      super("watcher fell too far behind and was closed");
    }
  }

  /** The requested resume version is older than the retained events. */
  public static final class VersionTooOld extends StoreException {
    public VersionTooOld(long version, long oldest) {
      super("cannot watch from version " + version + ": oldest retained is " + oldest);
    }
  }

  /** The store or subscription was closed. */
  public static final class Closed extends StoreException {
    public Closed() {
      super("store closed");
    }
  }
}
