package io.rpyc.it.python;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rpyc.ClassicConnection;
import io.rpyc.RemoteInvocationException;
import io.rpyc.RemoteRef;
import io.rpyc.Rpyc;
import io.rpyc.server.RpycServer;
import io.rpyc.server.classic.ClassicService;
import io.rpyc.testing.Json;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Classic mode across languages: Python's classic client on a JVM, ours on Python. */
class ClassicInteropIT {
  @BeforeAll
  static void python() {
    PythonRpyc.assumeInstalled();
  }

  @Test
  void pythonsClassicClient_usesTheJvm() throws Exception {
    try (RpycServer server = ClassicService.serverBuilder().port(0).build().start()) {
      Map<String, Object> r =
          Json.object(
              PythonRpyc.run("classic_client.py", "127.0.0.1", String.valueOf(server.port())));
      assertEquals(System.getProperty("java.version"), r.get("version"));
      assertEquals(3L, r.get("eval"), "eval('1 + 2') was evaluated as Java");
      assertEquals(3L, r.get("len"));
      assertEquals("alpha", r.get("first"));
      assertEquals("gamma", r.get("last"));
      assertEquals(List.of("alpha", "beta", "gamma"), r.get("iterated"));
      String text = (String) r.get("exception_text");
      assertTrue(
          String.valueOf(r.get("exception_type")).contains("NumberFormatException"), r.toString());
      assertTrue(
          text.contains("at java.base/java.lang.Integer.parseInt"),
          "the Java stack trace: " + text);
    }
  }

  @Test
  void ourClassicClient_usesAPythonInterpreter() throws Exception {
    Process python =
        new ProcessBuilder(
                "/usr/bin/rpyc_classic", "--host", "127.0.0.1", "-p", "0", "-m", "oneshot")
            .redirectErrorStream(true)
            .start();
    try {
      BufferedReader out =
          new BufferedReader(
              new InputStreamReader(python.getInputStream(), StandardCharsets.UTF_8));
      String line = out.readLine();
      while (line != null && !line.equals("rpyc-oneshot")) {
        line = out.readLine(); // log lines come first (stderr is merged)
      }
      assertEquals("rpyc-oneshot", line);
      String[] address = out.readLine().split("\t");
      try (ClassicConnection conn =
          Rpyc.classic().connect(address[0], Integer.parseInt(address[1]))) {
        RemoteRef os = conn.modules().get("os");
        assertEquals(python.pid(), ((Number) os.call("getpid")).longValue());
        assertEquals(3, conn.eval("1 + 2"));
        conn.execute("y = 5");
        assertEquals(10, conn.eval("y * 2"));
        RemoteInvocationException e =
            assertThrows(RemoteInvocationException.class, () -> conn.eval("1 / 0"));
        assertEquals("builtins.ZeroDivisionError", e.remoteType());
        assertTrue(e.remoteTraceback().contains("Traceback"), e.remoteTraceback());
      }
    } finally {
      python.destroy();
      python.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
