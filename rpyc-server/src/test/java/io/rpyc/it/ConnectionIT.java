package io.rpyc.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rpyc.Connection;
import io.rpyc.ConnectionClosedException;
import io.rpyc.ConnectionStats;
import io.rpyc.RemoteRef;
import io.rpyc.Rpyc;
import io.rpyc.RpycConfig;
import io.rpyc.RpycException;
import io.rpyc.RpycTimeoutException;
import io.rpyc.server.RpycServer;
import io.rpyc.testing.Await;
import java.lang.ref.Reference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ConnectionIT {
  private final ServerFixture fixture = new ServerFixture();
  private RpycServer server;

  @BeforeEach
  void start() {
    TestService.release = new CountDownLatch(1);
    TestService.blocked.set(0);
    server = fixture.start(TestService::new);
  }

  @AfterEach
  void stop() throws Exception {
    TestService.release.countDown();
    fixture.close();
  }

  @Test
  void javaPeers_negotiateTheExtension() {
    Connection conn = fixture.connect(server);
    assertTrue(conn.isJavaPeer());
    assertEquals(3, conn.root().call("add", 1, 2));
  }

  @Test
  void extensionOff_onEitherSide_meansPlainRpyc() {
    Connection plainClient =
        fixture.connect(server, RpycConfig.builder().javaExtensions(false).build());
    assertFalse(plainClient.isJavaPeer());
    assertEquals(3, plainClient.root().call("add", 1, 2));

    RpycServer plainServer =
        fixture.start(TestService::new, RpycConfig.builder().javaExtensions(false).build());
    Connection toPlainServer = fixture.connect(plainServer);
    assertFalse(toPlainServer.isJavaPeer());
    assertEquals(3, toPlainServer.root().call("add", 1, 2));
  }

  @Test
  void ping_echoes() {
    Connection conn = fixture.connect(server);
    conn.ping();
    conn.ping(Duration.ofSeconds(2));
  }

  @Test
  void connectingToAClosedPort_failsClearly() {
    RpycException e = assertThrows(RpycException.class, () -> Rpyc.connect("127.0.0.1", 1));
    assertTrue(e.getMessage().contains("cannot connect to 127.0.0.1:1"), e.getMessage());
  }

  @Test
  void syncCall_timesOutPerCall_andTheConnectionStaysUsable() {
    Connection conn = fixture.connect(server);
    RemoteRef root = conn.root();
    long start = System.nanoTime();
    RpycTimeoutException e =
        assertThrows(
            RpycTimeoutException.class,
            () -> root.withTimeout(Duration.ofMillis(300)).call("block"));
    long elapsedMs = (System.nanoTime() - start) / 1_000_000;
    assertTrue(elapsedMs >= 300 && elapsedMs < 5_000, "timed out after " + elapsedMs + " ms");
    assertTrue(e.getMessage().contains("'block'"), e.getMessage());
    TestService.release.countDown();
    assertEquals(5, root.call("add", 2, 3));
    // the late reply to block() was dropped, not left pending
    Await.until(Duration.ofSeconds(5), () -> conn.stats().pendingCalls() == 0, "no pending calls");
  }

  @Test
  void syncCall_timesOutPerConnection() {
    Connection conn =
        fixture.connect(
            server, RpycConfig.builder().syncRequestTimeout(Duration.ofMillis(200)).build());
    assertThrows(RpycTimeoutException.class, () -> conn.root().call("block"));
  }

  @Test
  void close_failsEveryPendingCallAtOnce() throws Exception {
    Connection conn = fixture.connect(server);
    RemoteRef root = conn.root();
    int callers = 4;
    ExecutorService pool = Executors.newFixedThreadPool(callers);
    try {
      List<Future<Object>> calls = new ArrayList<>();
      for (int i = 0; i < callers; i++) {
        calls.add(pool.submit(() -> root.call("block")));
      }
      Await.until(
          Duration.ofSeconds(10), () -> TestService.blocked.get() == callers, "calls to start");
      long start = System.nanoTime();
      conn.close();
      for (Future<Object> call : calls) {
        Exception e = assertThrows(Exception.class, () -> call.get(2, TimeUnit.SECONDS));
        assertInstanceOf(ConnectionClosedException.class, e.getCause());
      }
      assertTrue((System.nanoTime() - start) < TimeUnit.SECONDS.toNanos(1), "failed within 1 s");
      conn.close(); // idempotent
      assertTrue(conn.isClosed());
      assertThrows(ConnectionClosedException.class, () -> root.call("add", 1, 2));
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void serverClose_failsTheClientsPendingCalls_withACause() throws Exception {
    Connection conn = fixture.connect(server);
    RemoteRef root = conn.root();
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<Object> call = pool.submit(() -> root.call("block"));
      Await.until(Duration.ofSeconds(10), () -> TestService.blocked.get() == 1, "call to start");
      server.close(Duration.ZERO);
      Exception e = assertThrows(Exception.class, () -> call.get(5, TimeUnit.SECONDS));
      ConnectionClosedException closed =
          assertInstanceOf(ConnectionClosedException.class, e.getCause());
      assertTrue(closed.getCause() != null, "carries the cause");
      Await.until(Duration.ofSeconds(5), conn::isClosed, "the client to notice");
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void sixteenThreads_shareOneConnection_withoutLostOrCrossedReplies() throws Exception {
    Connection conn = fixture.connect(server);
    RemoteRef root = conn.root();
    int threads = 16;
    int calls = 10_000;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    AtomicInteger wrong = new AtomicInteger();
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        done.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < calls; i++) {
                    long expected = id * 1_000_000L + i;
                    Object got = root.call("echo", expected);
                    if (!Long.valueOf(expected).equals(got)) {
                      wrong.incrementAndGet();
                    }
                  }
                }));
      }
      for (Future<?> f : done) {
        f.get(5, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(0, wrong.get());
    assertEquals(0, conn.stats().pendingCalls());
    assertTrue(conn.stats().requestsSent() >= threads * calls);
  }

  @Test
  void callbacks_nestThreeDeep_onTheCallingThreads() {
    Connection conn = fixture.connect(server);
    RemoteRef root = conn.root();
    TestService.serverThreads.clear();
    List<String> clientThreads = new ArrayList<>();
    IntUnaryOperator callback =
        new IntUnaryOperator() {
          @Override
          public int applyAsInt(int n) {
            clientThreads.add(Thread.currentThread().getName());
            return (Integer) root.call("bounce", this, n);
          }
        };
    // bounce(5): server -> client(4) -> server(4) -> client(3) -> ... depth 5 each way
    assertEquals(5 + 4 + 3 + 2 + 1, root.call("bounce", callback, 5));
    String caller = Thread.currentThread().getName();
    assertEquals(5, clientThreads.size());
    for (String t : clientThreads) {
      assertEquals(caller, t, "callbacks re-enter the calling thread");
    }
    assertEquals(6, TestService.serverThreads.size());
    assertEquals(
        1, TestService.serverThreads.stream().distinct().count(), "and the serving thread");
  }

  @Test
  void callbacks_reenterLocksTheCallerHolds() {
    Connection conn = fixture.connect(server);
    RemoteRef root = conn.root();
    ReentrantLock lock = new ReentrantLock();
    IntUnaryOperator guarded =
        n -> {
          if (!lock.tryLock()) {
            throw new IllegalStateException("lock held by another thread");
          }
          try {
            return n + 1;
          } finally {
            lock.unlock();
          }
        };
    lock.lock();
    try {
      assertEquals(42, root.call("callBack", guarded, 41));
    } finally {
      lock.unlock();
    }
  }

  @Test
  void releasedReferences_leaveTheExportTableAtItsBaseline() {
    Connection conn = fixture.connect(server);
    RemoteRef root = conn.root();
    int baseline = (Integer) root.call("exportedObjects");
    List<Object> refs = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      refs.add(root.call("newObject"));
    }
    assertEquals(baseline + 1000, root.call("exportedObjects"));
    assertEquals(1000 + 1, conn.stats().importedObjects()); // the refs and the root
    refs.clear();
    Await.until(
        Duration.ofSeconds(30),
        () -> (Integer) root.call("exportedObjects") == baseline,
        System::gc,
        "the server to release the objects");
    assertEquals(1, conn.stats().importedObjects(), "only the root stays imported");
  }

  @Test
  void closing_emptiesTheExportAndImportTables_onBothSides() {
    Connection conn = fixture.connect(server);
    RemoteRef root = conn.root();
    List<Object> holders = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      holders.add(root.call("holder"));
    }
    IntUnaryOperator callback = n -> n + 1;
    assertEquals(1, root.call("keep", callback));
    Connection served = server.connections().get(0);
    ConnectionStats client = conn.stats();
    ConnectionStats peer = served.stats();
    // before: both tables are in use on both sides
    assertEquals(1 + 3, client.importedObjects(), "the root and the holders: " + client);
    assertTrue(client.exportedObjects() >= 1, "the callback the server keeps: " + client);
    assertTrue(peer.exportedObjects() >= 1 + 3, "the root and the holders: " + peer);
    assertTrue(peer.importedObjects() >= 1, "the kept callback: " + peer);

    conn.close();
    // this side: emptied by close() itself, although the test still holds the proxies
    ConnectionStats closed = conn.stats();
    assertEquals(0, closed.exportedObjects(), "exports after close: " + closed);
    assertEquals(0, closed.importedObjects(), "imports after close: " + closed);
    assertEquals(0, closed.pendingCalls(), "pending after close: " + closed);
    // the server's side: emptied when it sees the connection end
    Await.until(Duration.ofSeconds(10), served::isClosed, "the server to finish closing");
    ConnectionStats peerClosed = served.stats();
    assertEquals(0, peerClosed.exportedObjects(), "server exports after close: " + peerClosed);
    assertEquals(0, peerClosed.importedObjects(), "server imports after close: " + peerClosed);
    assertEquals(0, peerClosed.pendingCalls(), "server pending after close: " + peerClosed);
    Reference.reachabilityFence(holders); // the proxies stayed reachable throughout
    Reference.reachabilityFence(callback);
  }

  @Test
  void aConnectionSeenClosed_hasAlreadyEmptiedItsTables() throws Exception {
    // isClosed() and stats() read by a thread other than the closing one: once the first says
    // closed, the second must show the tables released (a CI run once saw 4 exports there)
    ExecutorService watcher = Executors.newSingleThreadExecutor();
    try {
      for (int round = 0; round < 30; round++) {
        Connection conn = fixture.connect(server);
        RemoteRef root = conn.root();
        List<Object> holders = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          holders.add(root.call("holder"));
        }
        CountDownLatch watching = new CountDownLatch(1);
        Future<ConnectionStats> seen =
            watcher.submit(
                () -> {
                  watching.countDown();
                  while (!conn.isClosed()) {
                    Thread.onSpinWait();
                  }
                  return conn.stats();
                });
        watching.await();
        conn.close();
        ConnectionStats stats = seen.get(10, TimeUnit.SECONDS);
        assertEquals(0, stats.importedObjects(), "round " + round + ": " + stats);
        assertEquals(0, stats.pendingCalls(), "round " + round + ": " + stats);
        Reference.reachabilityFence(holders);
      }
    } finally {
      watcher.shutdownNow();
    }
  }

  @Test
  void theSameRemoteObject_isTheSameHandle_andCountedOnce() {
    Connection conn = fixture.connect(server);
    RemoteRef root = conn.root();
    RemoteRef holder = (RemoteRef) root.call("holder");
    Object back = root.call("echo", holder);
    assertTrue(back == holder, "an object sent back and forth keeps its handle");
  }
}
