package io.rpyc.internal.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rpyc.testing.Await;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The refresh schedule and the close protocol of {@link RenewingRegistration}, on a fake registry.
 */
class RenewingRegistrationTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  /** Records the exchanges; REGISTER answers {@code ok}, after {@code gate} opens. */
  private static final class FakeRegistry implements RenewingRegistration.Exchange {
    final List<String> events = new CopyOnWriteArrayList<>();
    volatile CountDownLatch gate = new CountDownLatch(0);
    final CountDownLatch registering = new CountDownLatch(1);
    final CountDownLatch unregistered = new CountDownLatch(1);
    volatile boolean ok = true;

    @Override
    public boolean register() {
      registering.countDown();
      try {
        gate.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      events.add("REGISTER");
      return ok;
    }

    @Override
    public void unregister(boolean awaitReply) {
      events.add("UNREGISTER" + (awaitReply ? " (await)" : ""));
      unregistered.countDown();
    }

    long registers() {
      return events.stream().filter("REGISTER"::equals).count();
    }
  }

  private static RenewingRegistration start(FakeRegistry registry, Duration interval) {
    return RenewingRegistration.start(registry, "test", interval, Duration.ofMillis(500), r -> {});
  }

  @Test
  void aRegistration_isRefreshedEveryInterval() {
    FakeRegistry registry = new FakeRegistry();
    RenewingRegistration r = start(registry, Duration.ofMillis(20));
    try {
      Await.until(WAIT, () -> registry.registers() >= 3, "three REGISTERs");
    } finally {
      r.close();
    }
  }

  @Test
  void close_waitsForARegisterInFlight_soThatUnregisterComesLast() throws Exception {
    FakeRegistry registry = new FakeRegistry();
    registry.gate = new CountDownLatch(1);
    RenewingRegistration r = start(registry, Duration.ofMinutes(1));
    assertTrue(registry.registering.await(10, TimeUnit.SECONDS));
    CompletableFuture<Void> closing = CompletableFuture.runAsync(r::close);
    // The REGISTER is held at the gate: close() must wait for it rather than unregister now.
    assertFalse(registry.unregistered.await(200, TimeUnit.MILLISECONDS), "UNREGISTER too early");
    registry.gate.countDown();
    closing.get(10, TimeUnit.SECONDS);
    assertEquals(List.of("REGISTER", "UNREGISTER (await)"), registry.events);
  }

  @Test
  void aRegistrationNeverAcknowledged_unregistersWithoutWaitingForAReply() {
    FakeRegistry registry = new FakeRegistry();
    registry.ok = false;
    RenewingRegistration r = start(registry, Duration.ofMinutes(1));
    Await.until(WAIT, () -> registry.registers() == 1, "the first attempt");
    r.close();
    assertEquals(List.of("REGISTER", "UNREGISTER"), registry.events);
  }

  @Test
  void close_isIdempotent() {
    FakeRegistry registry = new FakeRegistry();
    RenewingRegistration r = start(registry, Duration.ofMillis(10));
    Await.until(WAIT, () -> registry.registers() >= 1, "a REGISTER");
    r.close();
    r.close();
    assertEquals(1, registry.events.stream().filter(e -> e.startsWith("UNREGISTER")).count());
    assertEquals("UNREGISTER (await)", registry.events.get(registry.events.size() - 1));
  }
}
