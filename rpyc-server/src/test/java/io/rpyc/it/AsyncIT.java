package io.rpyc.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rpyc.AsyncResult;
import io.rpyc.Connection;
import io.rpyc.RemoteInvocationException;
import io.rpyc.Rpyc;
import io.rpyc.RpycTimeoutException;
import io.rpyc.server.RpycServer;
import io.rpyc.testing.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AsyncIT {
  private final ServerFixture fixture = new ServerFixture();
  private Connection conn;
  private Calculator calc;

  @BeforeEach
  void start() {
    RpycServer server = fixture.start(TypedService::new);
    conn = fixture.connect(server);
    calc = conn.root(Calculator.class);
  }

  @AfterEach
  void stop() {
    fixture.close();
  }

  @Test
  void aTypedCall_completesLater() throws Exception {
    AsyncResult<Integer> r = Rpyc.async(calc, c -> c.slow(300));
    assertFalse(r.isReady(), "the call returned before the result");
    CountDownLatch called = new CountDownLatch(1);
    AtomicReference<String> thread = new AtomicReference<>();
    r.addCallback(
        done -> {
          thread.set(Thread.currentThread().getName());
          called.countDown();
        });
    assertEquals(300, r.value());
    assertTrue(r.isReady());
    assertNull(r.error());
    assertTrue(called.await(5, TimeUnit.SECONDS));
    assertFalse(thread.get().contains("-io-"), "callbacks run on a worker: " + thread.get());
  }

  @Test
  void aFailingCall_reportsItsError() {
    AsyncResult<Void> r =
        Rpyc.async(
            calc,
            c -> {
              c.fail("bad");
              return null;
            });
    assertTrue(r.waitFor(Duration.ofSeconds(5)));
    RemoteInvocationException e = assertInstanceOf(RemoteInvocationException.class, r.error());
    assertEquals("bad", e.remoteMessage());
    assertThrows(RemoteInvocationException.class, r::value);
  }

  @Test
  void anExpiredResult_isDropped_andTheConnectionCarriesOn() {
    AsyncResult<Integer> r = Rpyc.async(calc, c -> c.slow(1500)).setExpiry(Duration.ofMillis(100));
    assertThrows(RpycTimeoutException.class, r::value);
    assertTrue(r.isExpired());
    assertFalse(r.isReady());
    assertEquals(0, conn.stats().pendingCalls(), "the call was abandoned");
    assertEquals(5, calc.add(2, 3));
  }

  @Test
  void results_chainLikeCompletableFutures() throws Exception {
    CompletableFuture<Integer> chained =
        Rpyc.async(calc, c -> c.add(1, 2))
            .thenApply(x -> x * 10)
            .thenCompose(x -> Rpyc.async(calc, c -> c.add(x, 1)));
    assertEquals(31, chained.get(5, TimeUnit.SECONDS));

    List<AsyncResult<Integer>> many = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      int n = i;
      many.add(Rpyc.async(calc, c -> c.add(n, n)));
    }
    CompletableFuture.allOf(many.toArray(new CompletableFuture<?>[0])).get(30, TimeUnit.SECONDS);
    for (int i = 0; i < many.size(); i++) {
      assertEquals(2 * i, many.get(i).value());
    }
  }

  @Test
  void theDynamicApi_hasAsyncAndOnewayCalls() throws Exception {
    assertEquals(3, conn.root().callAsync("add", 1, 2).get(5, TimeUnit.SECONDS));
    TypedService.recorded = new CountDownLatch(1);
    conn.root().callOneway("record", "via RemoteRef");
    assertTrue(TypedService.recorded.await(5, TimeUnit.SECONDS));
    assertEquals("via RemoteRef", calc.lastRecorded());
  }

  @Test
  void onewayCalls_doNotWait_andOnlyLogFailures() throws Exception {
    TypedService.recorded = new CountDownLatch(1);
    Rpyc.oneway(calc, c -> c.record("hello"));
    assertTrue(TypedService.recorded.await(5, TimeUnit.SECONDS));
    assertEquals("hello", calc.lastRecorded());
    Rpyc.oneway(calc, c -> c.fail("ignored"));
    Await.until(Duration.ofSeconds(5), () -> conn.stats().pendingCalls() == 0, "the reply");
  }

  @Test
  void theFunction_mustMakeExactlyOneRemoteCall() {
    assertThrows(IllegalArgumentException.class, () -> Rpyc.async(calc, c -> 5));
    assertThrows(
        IllegalArgumentException.class, () -> Rpyc.async(calc, c -> c.add(1, 2) + c.add(3, 4)));
    assertEquals(3, calc.add(1, 2), "and the proxy is synchronous again afterwards");
  }
}
