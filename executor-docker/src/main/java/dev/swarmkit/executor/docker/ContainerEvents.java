package dev.swarmkit.executor.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.EventType;
import java.io.Closeable;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's event stream for one container, used only as a wake-up signal: whoever waits
 * re-inspects the container after each event (or after a poll interval, in case the stream broke),
 * so a missed or reordered event can never leave a waiter stuck.
 */
final class ContainerEvents implements Closeable {

  private static final Logger log = LoggerFactory.getLogger(ContainerEvents.class);

  private final LinkedBlockingQueue<String> actions = new LinkedBlockingQueue<>();
  private final Listener listener = new Listener();

  private ContainerEvents() {}

  static ContainerEvents open(DockerClient client, String containerName) {
    ContainerEvents events = new ContainerEvents();
    client.eventsCmd()
        .withEventTypeFilter(EventType.CONTAINER)
        .withContainerFilter(containerName)
        .exec(events.listener);
    return events;
  }

  private final class Listener extends ResultCallback.Adapter<Event> {
    @Override
    public void onNext(Event event) {
      if (event.getAction() != null) {
        actions.offer(event.getAction());
      }
    }

    @Override
    public void onError(Throwable throwable) {
      log.debug("container event stream failed: {}", throwable.toString());
      super.onError(throwable);
    }
  }

  /** Waits up to {@code timeout} for the next event; its action ("die", "health_status: healthy") or null. */
  String next(Duration timeout) throws InterruptedException {
    return actions.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    try {
      listener.close();
    } catch (Exception e) {
      log.debug("closing event stream: {}", e.toString());
    }
  }
}
