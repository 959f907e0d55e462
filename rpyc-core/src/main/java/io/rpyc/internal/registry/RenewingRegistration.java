package io.rpyc.internal.registry;

import io.rpyc.internal.transport.Transport;
import java.time.Duration;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A registration with a registry that forgets entries nobody refreshes (RPyC's UDP and TCP
 * registries): REGISTER now, again every refresh interval, every second after a failure; UNREGISTER
 * on close. Attempts run on a small shared pool of daemon threads, never on the caller's.
 */
final class RenewingRegistration implements Registration {
  private static final Logger log = LoggerFactory.getLogger(RenewingRegistration.class);
  private static final ScheduledThreadPoolExecutor SCHEDULER = scheduler();

  /** The two exchanges with the registry. */
  interface Exchange {
    /** Sends REGISTER; true if the registry acknowledged it. */
    boolean register();

    /**
     * Sends UNREGISTER.
     *
     * @param awaitReply whether to wait for the reply: only worth it when a registry is known to
     *     listen, because a broadcast nobody answers would cost the whole timeout
     */
    void unregister(boolean awaitReply);
  }

  private final Exchange exchange;
  private final String description;
  private final Duration interval;
  private final Duration timeout;
  private final Consumer<RenewingRegistration> onClose;
  private Future<?> pending;
  private boolean closed;
  private boolean inFlight;
  private volatile boolean acknowledged;
  private volatile boolean failing;

  private RenewingRegistration(
      Exchange exchange,
      String description,
      Duration interval,
      Duration timeout,
      Consumer<RenewingRegistration> onClose) {
    this.exchange = exchange;
    this.description = description;
    this.interval = interval;
    this.timeout = timeout;
    this.onClose = onClose;
  }

  /** Starts registering at once (in the background). */
  static RenewingRegistration start(
      Exchange exchange,
      String description,
      Duration interval,
      Duration timeout,
      Consumer<RenewingRegistration> onClose) {
    RenewingRegistration r =
        new RenewingRegistration(exchange, description, interval, timeout, onClose);
    r.schedule(0);
    return r;
  }

  private static ScheduledThreadPoolExecutor scheduler() {
    ScheduledThreadPoolExecutor s =
        new ScheduledThreadPoolExecutor(2, Transport.daemonThreads("rpyc-registrar"));
    s.setRemoveOnCancelPolicy(true);
    return s;
  }

  private synchronized void schedule(long delayMillis) {
    if (!closed) {
      pending = SCHEDULER.schedule(this::attempt, delayMillis, TimeUnit.MILLISECONDS);
    }
  }

  private void attempt() {
    synchronized (this) {
      if (closed) {
        return;
      }
      inFlight = true;
    }
    boolean ok = false;
    boolean logFirst = false;
    String reason = "no registry acknowledged it";
    try {
      ok = exchange.register();
      if (ok && !acknowledged) {
        // Before inFlight clears: close() then knows a registry listens and awaits its reply.
        logFirst = true;
        acknowledged = true;
      }
    } catch (RuntimeException e) {
      log.debug("registering {} failed", description, e);
      reason = e.getMessage();
    } finally {
      synchronized (this) {
        inFlight = false;
        notifyAll();
      }
    }
    if (ok) {
      if (logFirst || failing) {
        log.info("registered {}", description);
      }
      failing = false;
    } else if (!failing) {
      // Once per outage: a registry that stays down would otherwise log every second.
      log.warn("registering {} failed ({}); retrying every second", description, reason);
      failing = true;
    }
    schedule(ok ? interval.toMillis() : RegistryMessages.RETRY_INTERVAL.toMillis());
  }

  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      pending.cancel(false); // an attempt that has not started yet will not
      // One already running must finish first: a REGISTER overtaking our UNREGISTER would leave
      // the entry behind until the registry prunes it. Its exchange is bounded by the timeout.
      long deadline = System.nanoTime() + timeout.toNanos() * 2;
      while (inFlight) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          break;
        }
        try {
          wait(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    try {
      exchange.unregister(acknowledged);
      log.info("unregistered {}", description);
    } catch (RuntimeException e) {
      log.warn("unregistering {} failed: {}", description, e.toString());
    } finally {
      onClose.accept(this);
    }
  }

  @Override
  public String toString() {
    return description;
  }
}
