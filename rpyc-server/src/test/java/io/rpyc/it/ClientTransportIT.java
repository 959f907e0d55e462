package io.rpyc.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rpyc.AsyncResult;
import io.rpyc.Connection;
import io.rpyc.ConnectionClosedException;
import io.rpyc.Exposed;
import io.rpyc.RemoteRef;
import io.rpyc.Rpyc;
import io.rpyc.RpycConfig;
import io.rpyc.RpycConfig.ClientTransport;
import io.rpyc.RpycException;
import io.rpyc.Service;
import io.rpyc.internal.codec.Message;
import io.rpyc.server.RpycServer;
import io.rpyc.testing.Await;
import io.rpyc.testing.RawPeer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The two client transports ({@link ClientTransport}): the default one, where callers write their
 * own frames and the waiting caller reads its reply itself, and Netty's event loops. Both must
 * deliver every reply to its caller under concurrency, deliver what the server sends between calls
 * (the caller-reads transport's reader thread), survive an interrupted caller, and close on a
 * malformed frame with the reason.
 */
@Timeout(120)
class ClientTransportIT {
  private final ServerFixture fixture = new ServerFixture();

  @AfterEach
  void close() {
    fixture.close();
  }

  private static RpycConfig config(ClientTransport transport) {
    return RpycConfig.builder().clientTransport(transport).build();
  }

  /** Calls back its caller later, from a thread of its own, while the caller is not calling. */
  public static final class PushService extends Service {
    @Exposed
    public int pause(int millis) throws InterruptedException {
      Thread.sleep(millis);
      return millis;
    }

    @Exposed
    public void later(RemoteRef fn, int millis, int value) {
      Thread t =
          new Thread(
              () -> {
                try {
                  Thread.sleep(millis);
                  fn.invoke(value);
                } catch (InterruptedException | RuntimeException e) {
                  // the test fails on its latch
                }
              });
      t.setDaemon(true);
      t.start();
    }
  }

  /** What one of {@link #inParallel}'s threads does; returns how many calls it made. */
  private interface ThreadBody {
    int run(int thread) throws Exception;
  }

  /** Runs {@code body} on {@code threads} threads at once; each must make {@code calls} calls. */
  private static void inParallel(int threads, ThreadBody body, int calls) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Integer>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        done.add(pool.submit(() -> body.run(thread)));
      }
      for (Future<Integer> d : done) {
        assertEquals(calls, d.get(90, TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @ParameterizedTest
  @EnumSource(ClientTransport.class)
  void manyThreads_mixedSizes_everyReplyReachesItsCaller(ClientTransport transport)
      throws Exception {
    RpycServer server = fixture.start(TestService::new);
    Connection conn = fixture.connect(server, config(transport));
    RemoteRef root = conn.root();
    inParallel(
        16,
        thread -> {
          Random random = new Random(thread);
          int calls = 0;
          for (int i = 0; i < 150; i++) {
            if (i % 25 == thread % 25) {
              byte[] data = new byte[(1 << 17) + random.nextInt(5 << 18)]; // around LargeFrames'
              random.nextBytes(data);
              assertArrayEquals(reversed(data), (byte[]) root.call("reversed", (Object) data));
            } else {
              int a = random.nextInt(1000);
              assertEquals(a + thread, root.call("add", a, thread));
              String s = "t" + thread + "-" + i;
              assertEquals(s, root.call("echo", s));
            }
            calls++;
          }
          return calls;
        },
        150);
    assertEquals(7, root.call("add", 3, 4)); // and the connection is still fine
  }

  @ParameterizedTest
  @EnumSource(ClientTransport.class)
  void asynchronousBursts_fromManyThreads_amongSynchronousCalls_allArrive(ClientTransport transport)
      throws Exception {
    // asynchronous requests are queued and written in batches (by a worker, or by the caller once
    // 16 KiB wait); synchronous ones are written at once and take queued ones along
    RpycServer server = fixture.start(TestService::new);
    Connection conn = fixture.connect(server, config(transport));
    RemoteRef root = conn.root();
    inParallel(
        4,
        thread -> {
          Random random = new Random(100 + thread);
          List<AsyncResult<Object>> results = new ArrayList<>();
          List<String> expected = new ArrayList<>();
          for (int i = 0; i < 400; i++) {
            // mostly small, some larger than a batch (40 KiB)
            int size = i % 50 == 0 ? 40_000 + random.nextInt(4000) : random.nextInt(200);
            String s = thread + ":" + i + ":" + "x".repeat(size);
            expected.add(s);
            results.add(root.callAsync("echo", s));
            if (i % 40 == 39) {
              assertEquals(i + thread, root.call("add", i, thread));
            }
          }
          for (int i = 0; i < results.size(); i++) {
            assertEquals(expected.get(i), results.get(i).get(30, TimeUnit.SECONDS));
          }
          return results.size();
        },
        400);
    // a lone asynchronous call is written promptly too (by a worker), not left queued
    assertEquals(7, conn.root().callAsync("add", 3, 4).get(5, TimeUnit.SECONDS));
  }

  @ParameterizedTest
  @EnumSource(ClientTransport.class)
  void whatTheServerSendsBetweenCalls_isDelivered(ClientTransport transport) throws Exception {
    RpycServer server = fixture.start(PushService::new);
    Connection conn = fixture.connect(server, config(transport));
    CountDownLatch pushed = new CountDownLatch(3);
    AtomicReference<String> got = new AtomicReference<>("");
    IntConsumer callback =
        v -> {
          got.accumulateAndGet(String.valueOf(v), String::concat);
          pushed.countDown();
        };
    conn.root().call("later", callback, 50, 1);
    conn.root().call("later", callback, 300, 2);
    conn.root().call("later", callback, 600, 3);
    // nobody calls now: only the connection's own reader can take the callbacks
    assertTrue(pushed.await(10, TimeUnit.SECONDS), "callbacks delivered: " + got.get());
    assertEquals("123", got.get());
  }

  @Test
  void whatTheServerSendsDuringAnotherThreadsLongCall_isDelivered() throws Exception {
    RpycServer server = fixture.start(PushService::new);
    Connection conn = fixture.connect(server, RpycConfig.defaults());
    RemoteRef root = conn.root();
    CountDownLatch pushed = new CountDownLatch(1);
    IntConsumer callback = v -> pushed.countDown();
    // another thread waits 1.5 s for its reply on this connection, reading the socket meanwhile
    Thread waiting = new Thread(() -> root.call("pause", 1500));
    waiting.start();
    Thread.sleep(100);
    long start = System.nanoTime();
    root.call("later", callback, 100, 9);
    assertTrue(pushed.await(10, TimeUnit.SECONDS), "the callback came while another thread read");
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertTrue(millis < 1000, "delivered at once, not after the long call: " + millis + " ms");
    waiting.join(10_000);
    assertFalse(waiting.isAlive());
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @ParameterizedTest
  @EnumSource(ClientTransport.class)
  void anInterruptedCaller_getsAnException_andTheConnectionGoesOn(ClientTransport transport)
      throws Exception {
    TestService.release = new CountDownLatch(1);
    TestService.blocked.set(0);
    RpycServer server = fixture.start(TestService::new);
    Connection conn = fixture.connect(server, config(transport));
    RemoteRef root = conn.root();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread caller =
        new Thread(
            () -> {
              try {
                root.call("block");
              } catch (Throwable t) {
                failure.set(t);
              }
            });
    caller.start();
    Await.until(Duration.ofSeconds(10), () -> TestService.blocked.get() == 1, "the call to block");
    caller.interrupt();
    caller.join(5_000);
    assertFalse(caller.isAlive(), "the interrupted caller returned");
    assertTrue(failure.get() instanceof RpycException, String.valueOf(failure.get()));
    assertTrue(failure.get().getMessage().contains("interrupted"), failure.get().getMessage());
    TestService.release.countDown(); // its reply now arrives and is dropped
    for (int i = 0; i < 100; i++) {
      assertEquals(i + 1, root.call("add", i, 1));
    }
    assertEquals(0, conn.stats().pendingCalls());
  }

  @ParameterizedTest
  @EnumSource(ClientTransport.class)
  void aHostileFrameHeader_closesTheConnection_withTheReason(ClientTransport transport)
      throws Exception {
    try (ServerSocket fake = new ServerSocket(0)) {
      Thread peer =
          new Thread(
              () -> {
                try (Socket s = fake.accept()) {
                  InputStream in = s.getInputStream();
                  in.read(new byte[5]); // the JAVA_HELLO starts coming: answer nonsense
                  OutputStream out = s.getOutputStream();
                  out.write(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xf0, 0});
                  out.flush();
                  in.readAllBytes();
                } catch (IOException e) {
                  // test over
                }
              });
      peer.setDaemon(true);
      peer.start();
      RpycException e =
          assertThrows(
              RpycException.class,
              () -> Rpyc.connect("127.0.0.1", fake.getLocalPort(), config(transport)));
      assertTrue(e instanceof ConnectionClosedException, e.toString());
      assertTrue(
          String.valueOf(e.getCause()).contains("exceeds the maximum frame size"),
          String.valueOf(e.getCause()));
    }
  }

  @ParameterizedTest
  @EnumSource(ClientTransport.class)
  void aPeerThatStopsReading_failsTheStuckCaller_afterTheTimeout_withTheReason(
      ClientTransport transport) throws Exception {
    try (ServerSocket fake = new ServerSocket(0)) {
      Thread peer =
          new Thread(
              () -> {
                try (RawPeer server = RawPeer.accept(fake)) {
                  Message getRoot = server.read();
                  server.send( // a root object, then it never reads again
                      Message.REPLY,
                      getRoot.seq(),
                      new Object[] {RawPeer.REMOTE_REF, new Object[] {"fake.Root", 1, 2}});
                  Thread.sleep(30_000);
                } catch (IOException | InterruptedException e) {
                  // test over
                }
              });
      peer.setDaemon(true);
      peer.start();
      RpycConfig config =
          RpycConfig.builder()
              .javaExtensions(false) // plain RPyC: no handshake to fake
              .compression(RpycConfig.Compression.NEVER) // 64 MiB of zeros must stay 64 MiB
              .syncRequestTimeout(Duration.ofSeconds(1))
              .clientTransport(transport)
              .build();
      Connection conn = fixture.track(Rpyc.connect("127.0.0.1", fake.getLocalPort(), config));
      RemoteRef root = conn.root();
      byte[] big = new byte[64 << 20]; // far more than the socket buffers hold
      long start = System.nanoTime();
      RpycException e = assertThrows(RpycException.class, () -> root.call("echo", (Object) big));
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertTrue(millis < 10_000, "gave up after " + millis + " ms");
      if (transport == ClientTransport.EVENT_LOOP) {
        // Netty holds the unsent bytes: the call times out, the connection stays
        assertTrue(e instanceof io.rpyc.RpycTimeoutException, e.toString());
        assertFalse(conn.isClosed());
        return;
      }
      assertTrue(
          conn.isClosed(), "half a frame cannot be taken back: the connection closed, after " + e);
      assertTrue(
          String.valueOf(e).contains("has not read")
              || String.valueOf(e.getCause()).contains("has not read"),
          e + " / " + e.getCause());
    }
  }

  @ParameterizedTest
  @EnumSource(ClientTransport.class)
  void bigEchoesBothWays_whileOtherCallsContinue(ClientTransport transport) throws Exception {
    RpycServer server = fixture.start(TestService::new);
    Connection conn = fixture.connect(server, config(transport));
    RemoteRef root = conn.root();
    byte[] big = new byte[24 << 20];
    new Random(1).nextBytes(big);
    Future<Object> echo =
        Executors.newSingleThreadExecutor().submit(() -> root.call("reversed", (Object) big));
    for (int i = 0; i < 200; i++) {
      assertEquals(i * 2, root.call("add", i, i));
    }
    assertArrayEquals(reversed(big), (byte[]) echo.get(60, TimeUnit.SECONDS));
  }

  private static byte[] reversed(byte[] data) {
    byte[] r = new byte[data.length];
    for (int i = 0; i < data.length; i++) {
      r[i] = data[data.length - 1 - i];
    }
    return r;
  }
}
