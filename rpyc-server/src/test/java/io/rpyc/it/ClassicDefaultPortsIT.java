package io.rpyc.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.rpyc.ClassicConnection;
import io.rpyc.Rpyc;
import io.rpyc.Tls;
import io.rpyc.server.RpycServer;
import io.rpyc.server.classic.ClassicService;
import io.rpyc.testing.TestPki;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RPyC's fixed classic ports, where nothing is given: 18812, and 18821 over TLS. These tests need
 * those very ports on 127.0.0.1; when one is taken on this machine they are skipped, saying so.
 */
class ClassicDefaultPortsIT {
  @TempDir Path dir;

  /** Skips the test unless {@code port} can be bound on 127.0.0.1 right now. */
  private static void assumeFree(int port) {
    try (ServerSocket probe = new ServerSocket()) {
      probe.bind(new InetSocketAddress("127.0.0.1", port));
    } catch (IOException e) {
      Assumptions.abort(
          "127.0.0.1:"
              + port
              + " is in use on this machine ("
              + e.getMessage()
              + "), so the default port cannot be tested here");
    }
  }

  @Test
  void classicConnect_withoutAPort_goesTo18812() {
    assumeFree(18812);
    try (RpycServer server =
            RpycServer.builder()
                .service(ClassicService::new)
                .config(ClassicService.config()) // as bin/classic-server
                .port(18812)
                .shutdownGrace(Duration.ofSeconds(1))
                .build()
                .start();
        ClassicConnection conn = Rpyc.classic().connect("127.0.0.1")) {
      assertEquals(new InetSocketAddress("127.0.0.1", 18812), conn.remoteAddress());
      assertEquals(1, server.connections().size(), "the server on 18812 accepted it");
      assertEquals(
          conn.localAddress(),
          server.connections().get(0).remoteAddress(),
          "and it is this connection");
      assertEquals(
          42, conn.modules().get("java.lang.Integer").call("parseInt", "42"), "a classic service");
    }
  }

  @Test
  void classicServer_withTlsAndNoPort_listensOn18821() throws Exception {
    assumeFree(18821);
    TestPki pki = TestPki.create(dir);
    try (ClassicServerProcess server =
        ClassicServerProcess.start(
            "",
            "--ssl-certfile",
            pki.serverCert.toString(),
            "--ssl-keyfile",
            pki.serverKey.toString())) {
      assertEquals(18821, server.port(), "the announced port: " + server.console());
      try (ClassicConnection conn =
          Rpyc.classic().sslConnect("127.0.0.1", 18821, Tls.client().trust(pki.caCert))) {
        Object pid =
            Rpyc.ref(conn.modules().get("java.lang.ProcessHandle").call("current")).call("pid");
        assertEquals(server.process.pid(), pid, "served over TLS by that server process");
      }
    }
  }
}
