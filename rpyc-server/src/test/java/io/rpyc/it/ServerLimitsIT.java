package io.rpyc.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rpyc.AsyncResult;
import io.rpyc.Connection;
import io.rpyc.ConnectionClosedException;
import io.rpyc.RemoteInvocationException;
import io.rpyc.RemoteRef;
import io.rpyc.Rpyc;
import io.rpyc.RpycConfig;
import io.rpyc.RpycException;
import io.rpyc.server.RpycServer;
import io.rpyc.testing.Await;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What {@link RpycServer} promises about its own life: graceful close and the connection cap. */
class ServerLimitsIT {
  private static final String REFUSAL =
      "the server refuses this connection: it already has 2 connections (its maximum)";

  private final ServerFixture fixture = new ServerFixture();

  @BeforeEach
  void reset() {
    TestService.release = new CountDownLatch(1);
    TestService.blocked.set(0);
  }

  @AfterEach
  void stop() {
    TestService.release.countDown();
    fixture.close();
  }

  /** Whether a new client is turned away at connect time ("cannot connect to …"). */
  private static boolean refusesConnections(int port) {
    try {
      Rpyc.connect("127.0.0.1", port).close();
      return false; // accepted (and closed by a closing server): not yet refusing
    } catch (RpycException e) {
      return e.getMessage().contains("cannot connect to 127.0.0.1:" + port);
    }
  }

  @Test
  void close_stopsAccepting_butLetsARunningCallFinishWithItsValue() throws Exception {
    RpycServer server =
        fixture.track(
            RpycServer.builder()
                .service(TestService::new)
                .shutdownGrace(Duration.ofSeconds(20))
                .build()
                .start());
    int port = server.port();
    Connection conn = fixture.connect(server);
    RemoteRef root = conn.root();
    AsyncResult<Object> call = root.callAsync("block"); // returns once the test releases it
    Await.until(Duration.ofSeconds(10), () -> TestService.blocked.get() == 1, "the call to start");

    CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
    Await.until(
        Duration.ofSeconds(10), () -> refusesConnections(port), "the server to stop accepting");
    assertFalse(call.isDone(), "the running call is not cut short: " + call);
    assertFalse(closing.isDone(), "close() waits for the running call");
    assertFalse(conn.isClosed(), "nor is its connection closed under it");

    TestService.release.countDown();
    assertEquals(true, call.get(10, TimeUnit.SECONDS), "the call completes with its value");
    closing.get(20, TimeUnit.SECONDS);
    Await.until(Duration.ofSeconds(10), conn::isClosed, "the connection to close after the call");
    RpycException refused =
        assertThrows(RpycException.class, () -> Rpyc.connect("127.0.0.1", port));
    assertTrue(refused.getMessage().contains("cannot connect"), refused.getMessage());
  }

  @Test
  void maxConnections_refusesTheThird_untilOneCloses() throws Exception {
    AtomicInteger services = new AtomicInteger();
    RpycServer server =
        fixture.track(
            RpycServer.builder()
                .service(
                    () -> {
                      services.incrementAndGet();
                      return new TestService();
                    })
                .maxConnections(2)
                .shutdownGrace(Duration.ofSeconds(1))
                .build()
                .start());
    Connection first = fixture.connect(server);
    Connection second = fixture.connect(server);
    assertEquals(3, first.root().call("add", 1, 2));
    assertEquals(7, second.root().call("add", 3, 4));
    assertEquals(2, server.connections().size());

    // A connection beyond the cap gets its first request answered with the reason, then closed.
    // A Java client learns it while connecting (the answer to its extension handshake) ...
    ConnectionClosedException refused =
        assertThrows(ConnectionClosedException.class, () -> fixture.connect(server));
    assertTrue(refused.getMessage().contains(REFUSAL), "at connect time: " + refused);
    assertTrue(
        refused.getMessage().startsWith("cannot connect to "), "a connect failure: " + refused);
    // ... a plain RPyC client (as a Python one) from its first request, as ConnectionRefusedError.
    Connection plain = fixture.connect(server, RpycConfig.builder().javaExtensions(false).build());
    RemoteInvocationException firstRequest =
        assertThrows(RemoteInvocationException.class, plain::root);
    assertEquals(
        "builtins.ConnectionRefusedError", firstRequest.remoteType(), firstRequest::toString);
    assertTrue(firstRequest.getMessage().contains(REFUSAL), firstRequest.getMessage());
    Await.until(Duration.ofSeconds(10), plain::isClosed, "the server to close the refused one");
    // ... and a peer that never asks anything is closed after a few seconds.
    try (Socket silent = new Socket("127.0.0.1", server.port())) {
      silent.setSoTimeout(15_000);
      assertEquals(-1, silent.getInputStream().read(), "closed without a word");
    }
    assertEquals(2, server.connections().size(), "the refused peers were never counted");
    assertEquals(2, services.get(), "nor was a service created for them");
    assertEquals(3, first.root().call("add", 1, 2), "the two admitted ones still work");
    assertEquals(7, second.root().call("add", 3, 4));

    first.close();
    Await.until(
        Duration.ofSeconds(10), () -> server.connections().size() == 1, "the server to see it");
    Connection fourth = fixture.connect(server);
    assertEquals(11, fourth.root().call("add", 5, 6), "a freed slot is taken again");
    assertEquals(7, second.root().call("add", 3, 4));
  }
}
