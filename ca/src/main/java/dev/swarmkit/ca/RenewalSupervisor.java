package dev.swarmkit.ca;

import dev.swarmkit.api.NodeRole;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a node's certificate fresh: renews at a random point between 50% and 80% of the
 * certificate's validity (upstream's calculateRandomExpiry, at millisecond rather than minute
 * granularity), retries failures with capped exponential backoff, and renews at once when told the
 * node's role changed (promotion/demotion) until the certificate carries the new role. Runs on its
 * own thread.
 */
public final class RenewalSupervisor implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RenewalSupervisor.class);

  /** Backoff bounds for failed renewals. */
  public record Options(Duration minRetry, Duration maxRetry) {
    public static Options defaults() {
      return new Options(Duration.ofSeconds(2), Duration.ofSeconds(30));
    }
  }

  private final SecurityConfig security;
  private final Supplier<InetSocketAddress> managers;
  private final NodeCertificateFiles files;
  private final CertificateRequester requester;
  private final Options options;
  private final Thread thread;
  private final Object lock = new Object();
  private boolean renewRequested;
  private NodeRole expectedRole;
  private volatile boolean closed;

  public RenewalSupervisor(SecurityConfig security, Supplier<InetSocketAddress> managers,
      NodeCertificateFiles files, CertificateRequester requester, Options options) {
    this.security = security;
    this.managers = managers;
    this.files = files;
    this.requester = requester;
    this.options = options;
    this.thread = new Thread(this::run, "ca-renewal");
    this.thread.setDaemon(true);
  }

  public RenewalSupervisor start() {
    thread.start();
    return this;
  }

  /** Renews as soon as possible. */
  public void renewNow() {
    synchronized (lock) {
      renewRequested = true;
      lock.notifyAll();
    }
  }

  /**
   * The manager says this node's role is now {@code role}; if the certificate says otherwise,
   * renew now and keep retrying until the issued certificate has that role.
   */
  public void roleChanged(NodeRole role) {
    synchronized (lock) {
      expectedRole = role;
      if (!security.identity().role().equals(Roles.ou(role))) {
        renewRequested = true;
        lock.notifyAll();
      }
    }
  }

  /**
   * How long to wait before renewing a certificate valid from {@code notBefore} to {@code notAfter}:
   * until a uniformly random point in [50%, 80%) of its validity, or zero if that is past.
   */
  public static Duration renewalDelay(Instant notBefore, Instant notAfter, Instant now) {
    long total = Duration.between(notBefore, notAfter).toMillis();
    long min = (long) (total * 0.5);
    long max = (long) (total * 0.8);
    long offset = max - min < 1 ? min : ThreadLocalRandom.current().nextLong(min, max);
    Duration delay = Duration.between(now, notBefore.plusMillis(offset));
    return delay.isNegative() ? Duration.ZERO : delay;
  }

  private void run() {
    Duration retry = options.minRetry();
    Duration wait = renewalDelay(security.notBefore(), security.notAfter(), Instant.now());
    while (!closed) {
      try {
        if (!awaitRenewal(wait)) {
          return;
        }
        requester.renew(security, managers.get(), files);
        retry = options.minRetry();
        if (roleMismatch()) {
          log.info("renewed certificate still has role {}; waiting for the manager to apply the new role",
              security.identity().role());
          wait = retry;
        } else {
          wait = renewalDelay(security.notBefore(), security.notAfter(), Instant.now());
        }
      } catch (InterruptedException e) {
        return;
      } catch (Exception e) {
        if (closed) {
          return;
        }
        log.warn("certificate renewal failed, retrying in {}: {}", retry, e.getMessage());
        wait = retry;
        retry = retry.multipliedBy(2).compareTo(options.maxRetry()) > 0 ? options.maxRetry() : retry.multipliedBy(2);
      }
    }
  }

  private boolean roleMismatch() {
    synchronized (lock) {
      return expectedRole != null && !security.identity().role().equals(Roles.ou(expectedRole));
    }
  }

  /** Waits until {@code wait} elapses or a renewal is requested; false when closed. */
  private boolean awaitRenewal(Duration wait) throws InterruptedException {
    long deadline = System.nanoTime() + wait.toNanos();
    synchronized (lock) {
      while (!closed && !renewRequested) {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
          break;
        }
        lock.wait(Math.max(1, remaining / 1_000_000));
      }
      renewRequested = false;
      return !closed;
    }
  }

  @Override
  public void close() {
    closed = true;
    synchronized (lock) {
      lock.notifyAll();
    }
    thread.interrupt();
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
