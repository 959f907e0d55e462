package io.rpyc.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rpyc.ClassicConnection;
import io.rpyc.ClassicConnection.Captured;
import io.rpyc.RemoteRef;
import io.rpyc.Rpyc;
import io.rpyc.RpycException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@code bin/classic-server}'s modes and its warning, each in a JVM of its own. */
class ClassicServerModesIT {

  @Test
  void oneshot_printsItsAddress_servesOneConnection_andExits() throws Exception {
    try (ClassicServerProcess server =
        ClassicServerProcess.start("", "--mode", "oneshot", "--port", "0", "-q")) {
      assertEquals("oneshot", server.address()[2]);
      ClassicConnection conn = Rpyc.classic().connect(server.host(), server.port());
      RemoteRef system = conn.modules().get("java.lang.System");
      assertEquals(
          Long.valueOf(server.process.pid()),
          Rpyc.ref(conn.modules().get("java.lang.ProcessHandle").call("current")).call("pid"));
      assertThrows(
          RpycException.class,
          () -> Rpyc.classic().connect(server.host(), server.port()).ping(),
          "a second connection is refused while the first is served");
      assertTrue(server.process.isAlive());
      assertTrue(system.call("getProperty", "java.version") instanceof String);
      conn.close();
      assertEquals(0, server.awaitExit(), server::console);
    }
  }

  @Test
  void stdio_servesOneConnectionOverStandardInputAndOutput() throws Exception {
    try (ClassicServerProcess server =
        ClassicServerProcess.start("-Dclassic.it.mode=stdio", "--mode", "stdio", "-q")) {
      ClassicConnection conn =
          Rpyc.classic()
              .connectPipes(server.process.getInputStream(), server.process.getOutputStream());
      assertTrue(conn.isJavaPeer(), "the Java extension was negotiated over the pipes");
      assertEquals(
          "stdio", conn.modules().get("java.lang.System").call("getProperty", "classic.it.mode"));
      // what the server prints cannot corrupt the protocol on its stdout
      conn.execute("System.out.println(\"printed to the server's console\");");
      assertEquals(42, conn.eval("6 * 7"));
      Captured<Object> captured = conn.evalCaptured("System.out.print(\"over pipes\"); 1");
      assertEquals("over pipes", captured.stdout());
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8)) {
        ClassicConnection.StdioRedirection redirect = conn.redirectedStdio(print, print);
        conn.execute("System.out.println(\"redirected over pipes\");");
        redirect.close();
      }
      assertEquals(
          "redirected over pipes" + System.lineSeparator(), out.toString(StandardCharsets.UTF_8));
      server.awaitConsole("printed to the server's console"); // stdout went to stderr
      conn.close();
      assertEquals(0, server.awaitExit(), server::console);
    }
  }

  @Test
  void aNonLoopbackAddress_withoutTlsOrAnAuthenticator_isRefused() throws Exception {
    try (ClassicServerProcess server =
        ClassicServerProcess.start("", "--host", "0.0.0.0", "--port", "0")) {
      assertEquals(2, server.awaitExit(), server::console);
      assertTrue(server.console().contains("refusing to listen on 0.0.0.0"), server.console());
      assertTrue(server.console().contains("--insecure"), server.console());
    }
  }

  @Test
  void aNonLoopbackAddress_isWarnedAboutLoudly() throws Exception {
    try (ClassicServerProcess server =
        ClassicServerProcess.start("", "--host", "0.0.0.0", "--port", "0", "--insecure")) {
      server.awaitConsole("classic-server listening on 0.0.0.0:");
      String console = server.console();
      assertTrue(console.contains("WARNING: classic-server is listening on 0.0.0.0:"), console);
      assertTrue(console.contains("remote code execution"), console);
      assertTrue(console.contains("WARN"), "logged as a warning too:\n" + console);
    }
  }

  @Test
  void loopback_isNotWarnedAbout() throws Exception {
    try (ClassicServerProcess server = ClassicServerProcess.start("", "--port", "0")) {
      server.address();
      assertFalse(server.console().contains("WARNING"), server.console());
    }
  }

  @Test
  void withTls_aNonLoopbackAddressIsAllowed_andClassicClientsConnectOverTls(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    io.rpyc.testing.TestPki pki = io.rpyc.testing.TestPki.create(dir);
    try (ClassicServerProcess server =
        ClassicServerProcess.start(
            "",
            "--host",
            "0.0.0.0",
            "--port",
            "0",
            "--ssl-certfile",
            pki.serverCert.toString(),
            "--ssl-keyfile",
            pki.serverKey.toString())) {
      int port = server.port();
      try (io.rpyc.ClassicConnection conn =
          io.rpyc.Rpyc.classic()
              .sslConnect("127.0.0.1", port, io.rpyc.Tls.client().trust(pki.caCert))) {
        assertEquals(42, conn.eval("6 * 7"));
      }
    }
  }
}
