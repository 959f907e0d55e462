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
import io.rpyc.RemoteRef;
import io.rpyc.Rpyc;
import io.rpyc.RpycTimeoutException;
import io.rpyc.internal.protocol.ProtocolConnection;
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
  void anExpiredResult_whoseLateReplyArrives_isDropped_withoutALeak() {
    RpycServer server = fixture.start(TestService::new);
    Connection client = fixture.connect(server);
    RemoteRef root = client.root();
    ProtocolConnection served = (ProtocolConnection) server.connections().get(0);
    int serverExports = served.stats().exportedObjects();
    int clientImports = client.stats().importedObjects();
    int started = TestService.slowStarted.get();

    // the reply (a Holder, by reference) comes 1.5 s after the call, the expiry after 0.1 s
    AsyncResult<Object> r = root.callAsync("slowHolder", 1500).setExpiry(Duration.ofMillis(100));
    RpycTimeoutException expired = assertThrows(RpycTimeoutException.class, r::value);
    assertTrue(r.isExpired());
    assertEquals(0, client.stats().pendingCalls(), "the call was abandoned");

    // Wait until the server has really sent the late reply: the call started, then nothing is in
    // flight any more (a request counts as in flight until its reply is written).
    Await.until(
        Duration.ofSeconds(10), () -> TestService.slowStarted.get() > started, "slowHolder to run");
    Await.until(Duration.ofSeconds(10), () -> served.inFlight() == 0, "the late reply to be sent");
    assertEquals(
        serverExports + 1, served.stats().exportedObjects(), "the reply exported a Holder");
    // Replies arrive in order: once this one is back, the late reply has been received too.
    assertEquals(5, root.call("add", 2, 3));

    assertEquals(0, client.stats().pendingCalls(), "the late reply left nothing pending");
    assertTrue(r.isExpired(), "the late value did not replace the expiry");
    assertFalse(r.isReady());
    assertTrue(r.error() == expired, "still the expiry: " + r.error());
    // The handle the late reply carried is released like any other: the server forgets the Holder.
    Await.until(
        Duration.ofSeconds(30),
        () ->
            served.stats().exportedObjects() == serverExports
                && client.stats().importedObjects() == clientImports,
        System::gc,
        "the late reply's handle to be released on both sides");
    assertEquals(7, root.call("add", 3, 4), "and the connection carries on");
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
  void aCallback_mayWaitForALaterResultOfTheSameConnection() throws Exception {
    // Results are completed one after another by one worker; this callback holds that worker
    // until a result that arrives after its own is completed (by another worker, once the first
    // is seen stuck).
    AsyncResult<Integer> later = Rpyc.async(calc, c -> c.slow(300));
    CompletableFuture<Integer> both =
        Rpyc.async(calc, c -> c.slow(20)).thenApply(first -> first + later.value());
    assertEquals(320, both.get(10, TimeUnit.SECONDS));

    // and the same while many results arrive behind the blocked one
    AsyncResult<Integer> gate = Rpyc.async(calc, c -> c.slow(200));
    CompletableFuture<Integer> waiting =
        Rpyc.async(calc, c -> c.add(1, 1)).thenApply(two -> two + gate.value());
    List<AsyncResult<Integer>> many = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      int n = i;
      many.add(Rpyc.async(calc, c -> c.add(n, 1)));
    }
    assertEquals(202, waiting.get(10, TimeUnit.SECONDS));
    for (int i = 0; i < many.size(); i++) {
      assertEquals(i + 1, many.get(i).get(10, TimeUnit.SECONDS));
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
