package dev.swarmkit.agent;

import dev.swarmkit.api.LogMessage;

/** Sends one log subscription's messages to the manager's log broker. */
interface LogPublisher {

  void publish(LogMessage message);

  /** Tells the broker this node has sent everything for the subscription. */
  void close();
}
