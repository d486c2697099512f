package dev.swarmkit.manager.dispatcher;

import io.grpc.Status;

/**
 * What a node's registration tells its Session stream: "something changed, send a fresh message"
 * or "end the stream with this status". Implementations react without blocking the caller.
 */
interface SessionSignals {

  void changed();

  void end(Status reason);
}
