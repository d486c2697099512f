package dev.swarmkit.manager.logbroker;

import dev.swarmkit.api.LogMessage;
import dev.swarmkit.api.LogSelector;
import dev.swarmkit.api.LogSubscriptionOptions;
import dev.swarmkit.api.SubscriptionMessage;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.store.By;
import dev.swarmkit.store.ReadTx;
import dev.swarmkit.store.Table;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * One client's log subscription (upstream's logbroker subscription): which nodes must stream logs
 * for it, which of them have finished, what went wrong, and the queue of what to send to the
 * client. A non-follow subscription completes once every node involved has finished; a follow
 * subscription never completes and grows as matching tasks land on new nodes.
 */
final class LogSubscription {

  /** What the subscriber's sending thread takes from the outbox. */
  sealed interface Item {}

  record Logs(List<LogMessage> messages) implements Item {}

  /** The subscription finished; {@code error} is null when every log could be retrieved. */
  record Completed(String error) implements Item {}

  /** The client read too slowly: more than {@code bound} log messages were waiting for it. */
  record Overflowed(int bound) implements Item {}

  /**
   * Log messages that may wait for a client that is not reading; beyond this the subscription is
   * ended with RESOURCE_EXHAUSTED, so a paused client cannot grow the manager's heap.
   */
  static final int MAX_BUFFERED_MESSAGES = 10_000;

  /** Notified when the client's transport can take more; the sender waits on it. */
  final Object readySignal = new Object();

  /** The client went away. */
  record Cancelled() implements Item {}

  private final SubscriptionMessage message;
  private final boolean follow;
  private final Set<String> taskIds;
  private final Set<String> serviceIds;
  private final BlockingQueue<Item> outbox = new LinkedBlockingQueue<>();

  // guarded by this
  private final Set<String> nodes = new LinkedHashSet<>();
  private final Set<String> finishedNodes = new HashSet<>();
  private final Set<String> pendingTasks = new LinkedHashSet<>();
  private final List<String> errors = new ArrayList<>();
  private boolean closed;
  private boolean completed;
  private boolean overflowed;
  private int buffered;

  LogSubscription(String id, LogSelector selector, LogSubscriptionOptions options) {
    this.message = SubscriptionMessage.newBuilder().setId(id).setSelector(selector).setOptions(options).build();
    this.follow = options.getFollow();
    this.taskIds = Set.copyOf(selector.getTaskIdsList());
    this.serviceIds = Set.copyOf(selector.getServiceIdsList());
  }

  String id() {
    return message.getId();
  }

  boolean follow() {
    return follow;
  }

  BlockingQueue<Item> outbox() {
    return outbox;
  }

  /** What the workers receive: the subscription, marked closed once it ended. */
  synchronized SubscriptionMessage message() {
    return closed ? message.toBuilder().setClose(true).build() : message;
  }

  /** Resolves the selector against the store: the selected nodes and the nodes of selected tasks. */
  synchronized void match(ReadTx tx) {
    LogSelector selector = message.getSelector();
    nodes.addAll(selector.getNodeIdsList());
    for (String taskId : selector.getTaskIdsList()) {
      tx.get(Table.TASKS, taskId).ifPresent(this::addLocked);
    }
    for (String serviceId : selector.getServiceIdsList()) {
      for (Task task : tx.find(Table.TASKS, By.serviceId(serviceId))) {
        // Without follow, only tasks that have run can have logs.
        if (!follow && task.getStatus().getState().getNumber() < TaskState.RUNNING.getNumber()) {
          continue;
        }
        addLocked(task);
      }
    }
  }

  /**
   * A task was created or updated (follow subscriptions only). Returns the node that newly joined
   * the subscription because of it, or null.
   */
  synchronized String taskChanged(Task task) {
    if (closed || !(taskIds.contains(task.getId()) || serviceIds.contains(task.getServiceId()))) {
      return null;
    }
    return addLocked(task);
  }

  private String addLocked(Task task) {
    if (task.getNodeId().isEmpty()) {
      pendingTasks.add(task.getId());
      return null;
    }
    pendingTasks.remove(task.getId());
    return nodes.add(task.getNodeId()) ? task.getNodeId() : null;
  }

  synchronized boolean contains(String nodeId) {
    return nodes.contains(nodeId);
  }

  synchronized List<String> nodes() {
    return List.copyOf(nodes);
  }

  /** The node has nothing more to send (or cannot send), with the reason if it failed. */
  synchronized void done(String nodeId, String error) {
    if (!nodes.contains(nodeId) || finishedNodes.contains(nodeId)) {
      return;
    }
    if (error != null) {
      errors.add(error);
    }
    if (!follow) {
      finishedNodes.add(nodeId);
      completeIfFinishedLocked();
    }
  }

  /** Completes a non-follow subscription that has no node left to wait for. */
  synchronized void completeIfFinished() {
    completeIfFinishedLocked();
  }

  private void completeIfFinishedLocked() {
    if (follow || completed || finishedNodes.size() < nodes.size()) {
      return;
    }
    completed = true;
    outbox.offer(new Completed(errorLocked()));
  }

  synchronized boolean isFinished(String nodeId) {
    return finishedNodes.contains(nodeId);
  }

  /** Queues published logs for the client, unless the subscription already ended. */
  synchronized void deliver(List<LogMessage> messages) {
    if (closed || completed || messages.isEmpty()) {
      return;
    }
    if (buffered + messages.size() > MAX_BUFFERED_MESSAGES) {
      completed = true;
      overflowed = true;
      outbox.clear();
      buffered = 0;
      outbox.offer(new Overflowed(MAX_BUFFERED_MESSAGES));
      synchronized (readySignal) {
        readySignal.notifyAll();
      }
      return;
    }
    buffered += messages.size();
    outbox.offer(new Logs(List.copyOf(messages)));
  }

  /** The sender handed {@code count} messages to the client's transport. */
  synchronized void sent(int count) {
    buffered = Math.max(0, buffered - count);
  }

  /** Log messages queued for the client and not yet sent. */
  synchronized int buffered() {
    return buffered;
  }

  synchronized boolean overflowed() {
    return overflowed;
  }

  synchronized void close() {
    closed = true;
  }

  synchronized boolean closed() {
    return closed;
  }

  /** Upstream's wording for a stream that misses some logs; null when nothing is missing. */
  private String errorLocked() {
    if (errors.isEmpty() && pendingTasks.isEmpty()) {
      return null;
    }
    List<String> reasons = new ArrayList<>(errors);
    for (String task : pendingTasks) {
      reasons.add("task " + task + " has not been scheduled");
    }
    return "warning: incomplete log stream. some logs could not be retrieved for the following reasons: "
        + String.join(", ", reasons);
  }
}
