package dev.swarmkit.executor.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.EventType;
import java.io.Closeable;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One engine event stream for all of an executor's task containers, fanned out to the controllers
 * waiting on them. Upstream opens a stream per container; sharing one keeps a node with many tasks
 * from spending an engine connection per running task.
 *
 * <p>Events are only wake-up signals: a waiter re-inspects the container after each event and at
 * least every poll interval, so events lost while the stream reconnects cannot strand anyone.
 */
final class ContainerEvents implements Closeable {

  private static final Logger log = LoggerFactory.getLogger(ContainerEvents.class);
  private static final Duration RECONNECT_DELAY = Duration.ofSeconds(1);
  /** How long a new watch waits for the stream to be subscribed before relying on polling. */
  private static final Duration CONNECT_WAIT = Duration.ofSeconds(2);

  private final DockerClient client;
  private final Map<String, Set<Watch>> watches = new ConcurrentHashMap<>();
  private final Object lock = new Object();
  private Thread reader;
  private volatile ResultCallback.Adapter<Event> stream;
  private volatile boolean closed;
  private volatile java.util.concurrent.CountDownLatch connected = new java.util.concurrent.CountDownLatch(1);

  ContainerEvents(DockerClient client) {
    this.client = client;
  }

  /** Starts delivering the named container's event actions ("start", "die", "health_status: healthy"). */
  Watch watch(String containerName) throws InterruptedException {
    return watch(containerName, null);
  }

  /**
   * As {@link #watch(String)}, and also runs {@code onEvent} (on the stream's reader thread, so it
   * must only hand work off) for each of the container's events, for waiters that hold no thread.
   */
  Watch watch(String containerName, Runnable onEvent) throws InterruptedException {
    ensureReader();
    Watch w = new Watch(containerName, onEvent);
    watches.computeIfAbsent(containerName, n -> new CopyOnWriteArraySet<>()).add(w);
    // Once the engine has answered the events request, no later event of this container is missed.
    connected.await(CONNECT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    return w;
  }

  /** A controller's view of one container's events; close it when done waiting. */
  final class Watch implements Closeable {
    private final String name;
    private final LinkedBlockingQueue<String> actions = new LinkedBlockingQueue<>();
    private final Runnable onEvent;

    private Watch(String name, Runnable onEvent) {
      this.name = name;
      this.onEvent = onEvent;
    }

    /** Waits up to {@code timeout} for the next event; its action, or null on timeout. */
    String next(Duration timeout) throws InterruptedException {
      return actions.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
      watches.computeIfPresent(name, (n, set) -> {
        set.remove(this);
        return set.isEmpty() ? null : set;
      });
    }
  }

  private void ensureReader() {
    synchronized (lock) {
      if (reader != null || closed) {
        return;
      }
      reader = new Thread(this::readEvents, "docker-container-events");
      reader.setDaemon(true);
      reader.start();
    }
  }

  private void readEvents() {
    while (!closed) {
      java.util.concurrent.CountDownLatch started = connected;
      ResultCallback.Adapter<Event> callback = new ResultCallback.Adapter<>() {
        @Override
        public void onStart(Closeable stream) {
          super.onStart(stream);
          started.countDown();
        }

        @Override
        public void onNext(Event event) {
          dispatch(event);
        }
      };
      stream = callback;
      try {
        client.eventsCmd()
            .withEventTypeFilter(EventType.CONTAINER)
            .withLabelFilter(TaskContainers.LABEL_TASK)
            .exec(callback)
            .awaitCompletion();
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        log.debug("container event stream failed: {}", e.toString());
      }
      connected = new java.util.concurrent.CountDownLatch(1);
      if (!closed) {
        try {
          Thread.sleep(RECONNECT_DELAY.toMillis());
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  private void dispatch(Event event) {
    if (event.getAction() == null || event.getActor() == null || event.getActor().getAttributes() == null) {
      return;
    }
    Set<Watch> targets = watches.get(event.getActor().getAttributes().get("name"));
    if (targets != null) {
      for (Watch w : targets) {
        if (w.onEvent != null) {
          w.onEvent.run();
        } else {
          w.actions.offer(event.getAction());
        }
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    ResultCallback.Adapter<Event> s = stream;
    if (s != null) {
      try {
        s.close();
      } catch (Exception e) {
        log.debug("closing event stream: {}", e.toString());
      }
    }
    synchronized (lock) {
      if (reader != null) {
        reader.interrupt();
      }
    }
  }
}
