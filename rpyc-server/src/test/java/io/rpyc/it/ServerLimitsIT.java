package io.rpyc.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rpyc.AsyncResult;
import io.rpyc.Connection;
import io.rpyc.ConnectionClosedException;
import io.rpyc.RemoteRef;
import io.rpyc.Rpyc;
import io.rpyc.RpycConfig;
import io.rpyc.RpycException;
import io.rpyc.server.RpycServer;
import io.rpyc.testing.Await;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What {@link RpycServer} promises about its own life: graceful close and the connection cap. */
class ServerLimitsIT {
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
  void maxConnections_refusesTheThird_untilOneCloses() {
    RpycServer server =
        fixture.track(
            RpycServer.builder()
                .service(TestService::new)
                .maxConnections(2)
                .shutdownGrace(Duration.ofSeconds(1))
                .build()
                .start());
    Connection first = fixture.connect(server);
    Connection second = fixture.connect(server);
    assertEquals(3, first.root().call("add", 1, 2));
    assertEquals(7, second.root().call("add", 3, 4));
    assertEquals(2, server.connections().size());

    // The server closes a connection beyond the cap as soon as it accepts it (and logs why);
    // RPyC has no refusal message, so the peer just sees its connection closed. A Java client
    // sees it while connecting (its extension handshake gets no reply) ...
    ConnectionClosedException refused =
        assertThrows(ConnectionClosedException.class, () -> fixture.connect(server));
    assertTrue(refused.getMessage().contains("JAVA_HELLO"), "at connect time: " + refused);
    // ... a plain RPyC client (a Python one) on its first request.
    Connection plain = fixture.connect(server, RpycConfig.builder().javaExtensions(false).build());
    assertThrows(ConnectionClosedException.class, () -> plain.root().call("add", 1, 1));
    assertEquals(2, server.connections().size(), "the refused peer was never counted");
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
