package dev.swarmkit.store;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The most recent committed events, kept so a watcher can resume from a version it already saw
 * (watchFrom). Bounded by event count; the oldest whole commits are evicted first.
 */
final class EventLog {

  private record Commit(long index, List<StoreEvent> events) {}

  private final ArrayDeque<Commit> commits = new ArrayDeque<>();
  private final int maxEvents;
  private int events;
  /** Every commit with an index above this one is retained. */
  private long floor;

  EventLog(int maxEvents) {
    this.maxEvents = maxEvents;
  }

  void append(long index, List<StoreEvent> commitEvents) {
    commits.addLast(new Commit(index, commitEvents));
    events += commitEvents.size();
    while (events > maxEvents && commits.size() > 1) {
      Commit evicted = commits.removeFirst();
      events -= evicted.events().size();
      floor = evicted.index();
    }
  }

  /** Forgets all history: after a snapshot restore only versions from {@code index} on can resume. */
  void reset(long index) {
    commits.clear();
    events = 0;
    floor = index;
  }

  long floor() {
    return floor;
  }

  boolean canReplayAfter(long version) {
    return version >= floor;
  }

  /** The retained events of commits after {@code version}, in commit order. */
  List<StoreEvent> after(long version) {
    List<StoreEvent> out = new ArrayList<>();
    for (Commit c : commits) {
      if (c.index() > version) {
        out.addAll(c.events());
      }
    }
    return out;
  }
}
