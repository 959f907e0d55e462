package io.rpyc.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rpyc.Authenticators;
import io.rpyc.Connection;
import io.rpyc.RemoteInvocationException;
import io.rpyc.Rpyc;
import io.rpyc.RpycConfig;
import io.rpyc.server.RpycServer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code RpycServer.Builder.directExecutor()}: requests served on the I/O thread that read them.
 * Fast calls work from many threads, a method that would block on a callback fails clearly instead
 * of stalling the I/O thread, and authentication still runs (it waits for the peer) elsewhere.
 */
@Timeout(60)
class DirectExecutorIT {
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  private RpycServer start(RpycServer.Builder builder) {
    RpycServer server =
        builder.service(TestService::new).host("127.0.0.1").port(0).directExecutor().build();
    open.add(server);
    return server.start();
  }

  private Connection connect(RpycServer server, RpycConfig config) {
    Connection conn = Rpyc.connect("127.0.0.1", server.port(), config);
    open.add(conn);
    return conn;
  }

  @Test
  void requestsRunOnTheIoThread_andManyThreadsShareTheConnection() throws Exception {
    RpycServer server = start(RpycServer.builder());
    Connection conn = connect(server, RpycConfig.defaults());
    TestService.serverThreads.clear();
    IntUnaryOperator unused = x -> x;
    assertEquals(0, conn.root().call("bounce", unused, 0)); // records its thread, calls nothing
    assertTrue(
        TestService.serverThreads.stream().anyMatch(t -> t.startsWith("rpyc-server-io")),
        () -> "served on " + TestService.serverThreads);
    ExecutorService callers = Executors.newFixedThreadPool(16);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int t = 0; t < 16; t++) {
        int base = t * 1000;
        results.add(
            callers.submit(
                () -> {
                  for (int i = 0; i < 500; i++) {
                    if (!Integer.valueOf(base + i + 1)
                        .equals(conn.root().call("add", base + i, 1))) {
                      return false;
                    }
                  }
                  return true;
                }));
      }
      for (Future<Boolean> r : results) {
        assertTrue(r.get());
      }
    } finally {
      callers.shutdownNow();
    }
  }

  @Test
  void aMethodThatCallsBack_failsClearly_andTheConnectionGoesOn() {
    RpycServer server = start(RpycServer.builder());
    Connection conn = connect(server, RpycConfig.defaults());
    IntUnaryOperator twice = x -> 2 * x;
    RemoteInvocationException e =
        assertThrows(
            RemoteInvocationException.class, () -> conn.root().call("callBack", twice, 21));
    assertTrue(e.getMessage().contains("I/O thread"), e::getMessage);
    assertEquals(5, conn.root().call("add", 2, 3));
  }

  @Test
  void authenticationStillWorks_offTheIoThread() {
    byte[] secret = "a shared secret of some length".getBytes(StandardCharsets.US_ASCII);
    RpycServer server =
        start(RpycServer.builder().authenticator(Authenticators.sharedSecret(secret)));
    Connection conn =
        connect(
            server,
            RpycConfig.builder().authenticator(Authenticators.sharedSecret(secret)).build());
    assertEquals(3, conn.root().call("add", 1, 2));
    assertEquals("shared-secret", conn.root().call("credentials"));
  }
}
