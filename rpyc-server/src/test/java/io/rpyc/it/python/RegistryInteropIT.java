package io.rpyc.it.python;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rpyc.Connection;
import io.rpyc.Endpoint;
import io.rpyc.Registrar;
import io.rpyc.Rpyc;
import io.rpyc.server.RpycServer;
import io.rpyc.testing.Await;
import io.rpyc.testing.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramSocket;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** RPyC's registry protocol both ways: Python's rpyc_registry and our bin/registry-server. */
class RegistryInteropIT {
  @BeforeAll
  static void python() {
    PythonRpyc.assumeInstalled();
  }

  private static int freeTcpPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static int freeUdpPort() throws IOException {
    try (DatagramSocket s = new DatagramSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** Python's own registry: /usr/bin/rpyc_registry. */
  private static Process pythonRegistry(String mode, int port) throws IOException {
    return new ProcessBuilder(
            "/usr/bin/rpyc_registry",
            "-m",
            mode,
            "-p",
            String.valueOf(port),
            "--logfile",
            "/dev/null")
        .redirectErrorStream(true)
        .start();
  }

  private static RpycServer javaServer(Registrar registrar) {
    return RpycServer.builder()
        .service(InteropService::new)
        .register(registrar)
        .reregisterInterval(Duration.ofSeconds(1))
        .build()
        .start();
  }

  private static void awaitRegistered(Registrar registrar, int port) {
    Await.until(
        Duration.ofSeconds(20),
        () -> {
          try {
            return Rpyc.discover("CALC", registrar).stream().anyMatch(e -> e.port() == port);
          } catch (RuntimeException e) {
            return false;
          }
        },
        "CALC to be registered at port " + port);
  }

  @Test
  void pythonsTcpRegistry_recordsOurServer_forJavaAndPythonClients() throws Exception {
    int port = freeTcpPort();
    Process registry = pythonRegistry("TCP", port);
    Registrar registrar = Registrar.tcp("127.0.0.1", port);
    try (RpycServer server = javaServer(registrar)) {
      awaitRegistered(registrar, server.port());
      List<Endpoint> found = Rpyc.discover("calculator", registrar);
      assertTrue(found.stream().anyMatch(e -> e.port() == server.port()), found.toString());
      try (Connection conn = Rpyc.connectByService("CALC", registrar)) {
        assertEquals(3, conn.root().call("add", 1, 2));
      }
      Map<String, Object> py =
          Json.object(
              PythonRpyc.run(
                  "registry_client.py", "tcp", "127.0.0.1", String.valueOf(port), "CALC"));
      assertEquals(5L, py.get("add"));
      assertEquals(List.of(List.of("127.0.0.1", (long) server.port())), py.get("endpoints"));
    } finally {
      registry.destroy();
      registry.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void pythonsUdpRegistry_recordsOurServer_andAnswersOurQueries() throws Exception {
    int port = freeUdpPort();
    Process registry = pythonRegistry("UDP", port);
    Registrar registrar = Registrar.udp("127.0.0.1", port);
    try (RpycServer server = javaServer(registrar)) {
      awaitRegistered(registrar, server.port());
      Map<String, Object> py =
          Json.object(
              PythonRpyc.run(
                  "registry_client.py", "udp", "127.0.0.1", String.valueOf(port), "CALC"));
      assertEquals(5L, py.get("add"));
    } finally {
      registry.destroy();
      registry.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static final Pattern LISTENING = Pattern.compile("listening on (\\S+):(\\d+)");

  @Test
  void ourRegistryServer_recordsPythonServers_andAnswersPythonClients() throws Exception {
    Path script = Path.of("..", "bin", "registry-server").toAbsolutePath().normalize();
    ProcessBuilder builder =
        new ProcessBuilder(script.toString(), "--mode", "tcp", "--host", "127.0.0.1", "--port", "0")
            .redirectErrorStream(true);
    builder.environment().put("RPYC_NO_BUILD", "1");
    Process registry = builder.start();
    try {
      BufferedReader out =
          new BufferedReader(
              new InputStreamReader(registry.getInputStream(), StandardCharsets.UTF_8));
      int port = -1;
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        Matcher m = LISTENING.matcher(line);
        if (m.find()) {
          port = Integer.parseInt(m.group(2));
          break;
        }
      }
      assertTrue(port > 0, "the registry printed its address");
      Registrar registrar = Registrar.tcp("127.0.0.1", port);
      try (PythonRpyc.Server python =
          new PythonRpyc.Server("registered_server.py", "tcp", "127.0.0.1", String.valueOf(port))) {
        awaitRegistered(registrar, python.port);
        try (Connection conn = Rpyc.connectByService("CALC", registrar)) {
          assertEquals(7, conn.root().call("add", 3, 4), "a Java client found the Python server");
        }
        Map<String, Object> py =
            Json.object(
                PythonRpyc.run(
                    "registry_client.py", "tcp", "127.0.0.1", String.valueOf(port), "CALC"));
        assertEquals(5L, py.get("add"), "and so did a Python client, through our registry");
      }
    } finally {
      registry.destroy();
      registry.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
