package dev.swarmkit.manager.dispatcher;

import dev.swarmkit.api.WeightedPeer;
import java.util.List;

/**
 * The managers agents may connect to, with selection weights (upstream: the Raft member list, each
 * with the default observation weight 10). Polled by the dispatcher; changes are pushed to sessions.
 */
@FunctionalInterface
public interface ManagerList {

  /** Upstream's remotes.DefaultObservationWeight. */
  long DEFAULT_WEIGHT = 10;

  List<WeightedPeer> managers();
}
