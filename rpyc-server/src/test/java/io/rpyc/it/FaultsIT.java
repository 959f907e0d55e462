package io.rpyc.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.rpyc.Connection;
import io.rpyc.ConnectionClosedException;
import io.rpyc.RemoteRef;
import io.rpyc.Rpyc;
import io.rpyc.RpycConfig;
import io.rpyc.Tuple;
import io.rpyc.internal.codec.IdPack;
import io.rpyc.internal.codec.Message;
import io.rpyc.internal.protocol.Handlers;
import io.rpyc.server.RpycServer;
import io.rpyc.testing.Await;
import io.rpyc.testing.RawPeer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Dropped peers, restarts, silent peers, slow readers, disconnects mid-callback. */
class FaultsIT {
  private final ServerFixture fixture = new ServerFixture();

  @AfterEach
  void stop() {
    fixture.close();
  }

  @Test
  void aKilledServerProcess_failsEveryPendingCallWithinOneSecond_andARestartedOneServes()
      throws Exception {
    ServerProcess server = ServerProcess.start(TestService.class, 0);
    int port = server.port;
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try (Connection conn = Rpyc.connect(server.host, port)) {
      RemoteRef root = conn.root();
      List<Future<Object>> calls = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        calls.add(pool.submit(() -> root.call("block")));
      }
      Await.until(
          Duration.ofSeconds(10), () -> conn.stats().pendingCalls() == 4, "4 pending calls");
      long killed = System.nanoTime();
      server.kill();
      for (Future<Object> call : calls) {
        Exception e = assertThrows(Exception.class, () -> call.get(5, TimeUnit.SECONDS));
        assertInstanceOf(ConnectionClosedException.class, e.getCause());
      }
      long ms = (System.nanoTime() - killed) / 1_000_000;
      assertTrue(ms < 1000, "all pending calls failed " + ms + " ms after the kill");
    } finally {
      pool.shutdownNow();
      server.close();
    }
    try (ServerProcess restarted = ServerProcess.start(TestService.class, port);
        Connection conn = Rpyc.connect(restarted.host, port)) {
      assertEquals(3, conn.root().call("add", 1, 2));
    }
  }

  @Test
  void aSilentClient_isDroppedByTheServersKeepalive() throws Exception {
    RpycServer server =
        fixture.start(
            TestService::new,
            RpycConfig.builder().keepAliveInterval(Duration.ofMillis(200)).build());
    try (RawPeer silent = RawPeer.connect("127.0.0.1", server.port())) {
      List<Message> seen = new ArrayList<>();
      long start = System.nanoTime();
      assertTrue(silent.awaitClose(seen), "the server closed the silent connection");
      long ms = (System.nanoTime() - start) / 1_000_000;
      assertTrue(ms >= 300 && ms < 5000, "after two intervals: " + ms + " ms");
      assertTrue(
          seen.stream()
              .anyMatch(
                  m ->
                      m.type() == Message.REQUEST
                          && Integer.valueOf(Handlers.PING).equals(((Tuple) m.body()).get(0))),
          "a keepalive PING came first: " + seen);
    }
  }

  @Test
  void aSilentServer_isDetectedByTheClientsKeepalive() throws Exception {
    try (ServerSocket blackHole = new ServerSocket(0)) {
      Thread acceptor =
          new Thread(
              () -> {
                try (Socket accepted = blackHole.accept()) {
                  // accept and never answer: a hung or half-open peer
                  accepted.getInputStream().readAllBytes();
                } catch (IOException e) {
                  // test over
                }
              });
      acceptor.setDaemon(true);
      acceptor.start();
      RpycConfig config =
          RpycConfig.builder()
              .javaExtensions(false) // no handshake: the connection opens without an answer
              .keepAliveInterval(Duration.ofMillis(200))
              .build();
      try (Connection conn = Rpyc.connect("127.0.0.1", blackHole.getLocalPort(), config)) {
        ConnectionClosedException e = assertThrows(ConnectionClosedException.class, conn::root);
        assertTrue(
            String.valueOf(e.getCause()).contains("keepalive"), String.valueOf(e.getCause()));
      }
      acceptor.interrupt();
    }
  }

  @Test
  void aSlowReader_getsBackPressure_notUnboundedBuffering() throws Exception {
    RpycServer server = fixture.start(TestService::new);
    try (RawPeer reader = RawPeer.connect("127.0.0.1", server.port())) {
      IdPack root =
          RawPeer.idPackOf(reader.call(Handlers.GETROOT, RawPeer.value(Tuple.of())).body());
      long before = PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();
      int replies = 64;
      List<Long> seqs = new ArrayList<>();
      for (int i = 0; i < replies; i++) {
        seqs.add(
            reader.request(
                Handlers.CALLATTR,
                RawPeer.tuple(
                    RawPeer.localRef(root),
                    RawPeer.value("bytes"),
                    RawPeer.value(Tuple.of(1 << 20)),
                    RawPeer.value(Tuple.of()))));
      }
      // 64 MiB of replies are ready to go, and the reader reads nothing for a while
      Await.until(
          Duration.ofSeconds(10),
          () -> server.connections().get(0).stats().requestsServed() >= replies + 1,
          "the requests to arrive");
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1500);
      long peak = 0;
      while (System.nanoTime() < deadline) {
        peak = Math.max(peak, PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory() - before);
        Thread.onSpinWait();
      }
      assertTrue(
          peak < 24L << 20, "buffered output stayed bounded: " + (peak >> 20) + " MiB of 64");
      java.util.Set<Long> pending = new java.util.HashSet<>(seqs);
      while (!pending.isEmpty()) {
        Message m = reader.read(); // replies come in any order
        assertEquals(Message.REPLY, m.type());
        assertTrue(pending.remove(m.seq()), "an expected reply: " + m.seq());
        assertEquals(1 << 20, ((byte[]) ((Tuple) m.body()).get(1)).length);
      }
    }
  }

  @Test
  void aClientDisconnectingDuringACallback_leavesNothingBehind() throws Exception {
    RpycServer server = fixture.start(TestService::new);
    int disconnectsBefore = TestService.disconnected.get();
    Connection conn = fixture.connect(server);
    RemoteRef root = conn.root();
    Function<Object, Object> closing =
        x -> {
          conn.close();
          return x;
        };
    assertThrows(ConnectionClosedException.class, () -> root.call("callBack", closing, 1));
    Await.until(
        Duration.ofSeconds(5),
        () -> server.connections().isEmpty(),
        "the server to drop the connection");
    Await.until(
        Duration.ofSeconds(5),
        () -> TestService.disconnected.get() == disconnectsBefore + 1,
        "onDisconnect");
    try (Connection other = fixture.connect(server)) {
      assertEquals(3, other.root().call("add", 1, 2));
      assertEquals(1, server.connections().size());
    }
  }

  @Test
  void aPeerThatNeverAnswers_tiesUpAtMostMaxConcurrentRequestsWorkers() throws Exception {
    java.util.concurrent.ExecutorService workers =
        Executors.newCachedThreadPool(
            io.rpyc.internal.transport.Transport.daemonThreads("flood-worker"));
    RpycServer server =
        RpycServer.builder()
            .service(TestService::new)
            .executor(workers)
            .config(
                RpycConfig.builder()
                    .maxConcurrentRequests(32)
                    .syncRequestTimeout(Duration.ofSeconds(20))
                    .build())
            .build()
            .start();
    fixture.track(server);
    try (RawPeer flood = RawPeer.connect("127.0.0.1", server.port())) {
      // HASH of the peer's own objects: each makes a worker ask the peer, which never answers
      for (int i = 1; i <= 2000; i++) {
        flood.request(Handlers.HASH, hostileRef(i));
      }
      Await.until(
          Duration.ofSeconds(10),
          () -> server.connections().stream().anyMatch(c -> c.stats().requestsServed() >= 2000),
          "the flood to arrive");
      long peak = 0;
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
      while (System.nanoTime() < deadline) {
        peak = Math.max(peak, floodWorkers());
        Thread.onSpinWait();
      }
      assertTrue(peak <= 32 + 2, "workers tied up by one peer: " + peak);
      try (Connection other = fixture.connect(server)) {
        assertEquals(3, other.root().call("add", 1, 2), "other clients are still served");
      }
    }
    Await.until(Duration.ofSeconds(20), () -> server.connections().isEmpty(), "the flood to drain");
    workers.shutdownNow();
  }

  @Test
  void requestsBeyondTheQueue_getAnExceptionReply_whileTheQueuedOnesWait() throws Exception {
    RpycServer server =
        RpycServer.builder()
            .service(TestService::new)
            .config(
                RpycConfig.builder()
                    .maxConcurrentRequests(1)
                    .syncRequestTimeout(Duration.ofSeconds(30))
                    .build())
            .build()
            .start();
    fixture.track(server);
    int queueLimit = 1 << 16; // ProtocolConnection.MAX_QUEUED_REQUESTS
    // the suite's paranoid leak detection records a stack at every buffer access: 11 s for the
    // 65,000 requests, both ends in this JVM; sampling (Netty's default) takes well under 1 s
    ResourceLeakDetector.Level leakLevel = ResourceLeakDetector.getLevel();
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.SIMPLE);
    try (RawPeer flood = RawPeer.connect("127.0.0.1", server.port())) {
      // each HASH of the peer's own object makes the server ask the peer, which never answers: the
      // first holds the one worker, the next queueLimit wait, the rest are refused
      for (int i = 0; i <= queueLimit; i++) {
        flood.request(Handlers.HASH, hostileRef(i));
      }
      List<Long> refused = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        refused.add(flood.request(Handlers.HASH, hostileRef(queueLimit + 1 + i)));
      }
      for (long seq : refused) {
        Message reply = flood.replyTo(seq);
        assertEquals(Message.EXCEPTION, reply.type(), "request " + seq);
        assertTrue(
            String.valueOf(reply.body()).contains("too many requests in flight"),
            String.valueOf(reply.body()));
      }
      try (Connection other = fixture.connect(server)) {
        assertEquals(3, other.root().call("add", 1, 2), "other clients are still served");
      }
    } finally {
      ResourceLeakDetector.setLevel(leakLevel);
    }
  }

  /**
   * A reference to object {@code i} of the peer's own: asking about it makes the server call back.
   */
  private static Object[] hostileRef(int i) {
    return RawPeer.tuple(new Object[] {RawPeer.REMOTE_REF, new IdPack("hostile.Obj", 1, i)});
  }

  private static long floodWorkers() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(
            t -> t.getName().startsWith("flood-worker") && t.getState() != Thread.State.RUNNABLE)
        .count();
  }
}
