package io.rpyc.server.registry;

import static io.rpyc.testing.Discovery.found;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rpyc.Connection;
import io.rpyc.Endpoint;
import io.rpyc.Registrar;
import io.rpyc.Rpyc;
import io.rpyc.ServiceNotFoundException;
import io.rpyc.internal.registry.RegistryBackends;
import io.rpyc.registry.RegistryServer;
import io.rpyc.server.demo.CalculatorService;
import io.rpyc.testing.Await;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.util.ServiceUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** bin/rpyc-server with --register: separate JVMs that register, exit, and get killed. */
class RegisteringServerCommandIT {
  static {
    // a ZooKeeper node that fails to start must fail this test, not end the test JVM
    ServiceUtils.setSystemExitProcedure(ServiceUtils.LOG_ONLY);
  }

  private static final Path SCRIPT =
      Path.of("..", "bin", "rpyc-server").toAbsolutePath().normalize();
  private static final Pattern LISTENING = Pattern.compile("listening on (\\S+):(\\d+) \\(service");
  private static final Duration WAIT = Duration.ofSeconds(20);

  private final List<Process> processes = new ArrayList<>();
  private final List<AutoCloseable> opened = new ArrayList<>();

  @AfterEach
  void stopEverything() throws Exception {
    for (Process p : processes) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
    for (int i = opened.size() - 1; i >= 0; i--) {
      opened.get(i).close();
    }
    RegistryBackends.closeAll();
  }

  /** Starts bin/rpyc-server with the demo service on a free port; returns its output lines. */
  private BlockingQueue<String> startServer(String... registryArgs) throws IOException {
    List<String> command =
        new ArrayList<>(
            List.of(
                SCRIPT.toString(), "--service", CalculatorService.class.getName(), "--port", "0"));
    command.addAll(List.of(registryArgs));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("RPYC_NO_BUILD", "1"); // the package phase already built the jar
    Process process = builder.start();
    processes.add(process);
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader out =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                  lines.add(line);
                }
              } catch (IOException ignored) {
                // the process is gone
              }
            },
            "rpyc-server-output");
    reader.setDaemon(true);
    reader.start();
    return lines;
  }

  private static int awaitPort(BlockingQueue<String> lines) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    StringBuilder seen = new StringBuilder();
    while (System.nanoTime() < deadline) {
      String line = lines.poll(100, TimeUnit.MILLISECONDS);
      if (line != null) {
        seen.append(line).append('\n');
        Matcher m = LISTENING.matcher(line);
        if (m.find()) {
          return Integer.parseInt(m.group(2));
        }
      }
    }
    throw new AssertionError("rpyc-server did not print its address:\n" + seen);
  }

  @Test
  void theCommand_registersWithATcpRegistry_andUnregistersWhenTerminated() throws Exception {
    RegistryServer registry =
        RegistryServer.builder()
            .mode(RegistryServer.Mode.TCP)
            .host("127.0.0.1")
            .port(0)
            .build()
            .start();
    opened.add(registry);
    Registrar registrar = Registrar.tcp("127.0.0.1", registry.port());
    int port =
        awaitPort(
            startServer(
                "--register",
                "--registry-type",
                "TCP",
                "--registry-host",
                "127.0.0.1",
                "--registry-port",
                String.valueOf(registry.port())));
    List<Endpoint> expected = List.of(new Endpoint("127.0.0.1", port));
    Await.until(WAIT, () -> found(registrar, "CALCULATOR").equals(expected), "the registration");
    assertEquals(expected, Rpyc.discover("CALC", registrar));

    Process server = processes.get(0);
    server.destroy(); // SIGTERM: the shutdown hook closes the server, which unregisters first
    assertTrue(server.waitFor(20, TimeUnit.SECONDS), "exits on SIGTERM");
    assertThrows(ServiceNotFoundException.class, () -> Rpyc.discover("CALCULATOR", registrar));
  }

  @Test
  void aKilledServer_vanishesFromZooKeeperWhenItsSessionExpires() throws Exception {
    TestingServer zooKeeper =
        new TestingServer(new InstanceSpec(null, -1, -1, -1, true, -1, 100, -1), true);
    opened.add(zooKeeper);
    String uri = "zk://" + zooKeeper.getConnectString() + "/rpyc";
    Registrar registrar = Registrar.of(uri);
    int port = awaitPort(startServer("--registry", uri + "?sessionTimeout=1s"));
    List<Endpoint> expected = List.of(new Endpoint("127.0.0.1", port));
    Await.until(WAIT, () -> found(registrar, "CALC").equals(expected), "the registration");
    try (Connection conn = Rpyc.connectByService("CALC", registrar)) {
      assertEquals(3, conn.root().call("add", 1, 2));
    }

    Process server = processes.get(0);
    server.destroyForcibly(); // SIGKILL: no shutdown hook, no unregistration
    assertTrue(server.waitFor(20, TimeUnit.SECONDS), "killed");
    // Only ZooKeeper's session expiry (about 1 s without heartbeats) can remove the entry.
    Await.until(WAIT, () -> found(registrar, "CALC").isEmpty(), "the entry's expiry");
    assertThrows(ServiceNotFoundException.class, () -> Rpyc.connectByService("CALC", registrar));
  }

  @Test
  void inconsistentRegistryOptions_areReportedWithExitCode2() throws Exception {
    BlockingQueue<String> lines = startServer("--register", "--registry-type", "tcp");
    Process server = processes.get(0);
    assertTrue(server.waitFor(30, TimeUnit.SECONDS));
    assertEquals(2, server.exitValue());
    List<String> output = new ArrayList<>();
    Await.until(
        Duration.ofSeconds(10),
        () -> {
          lines.drainTo(output);
          return output.stream().anyMatch(l -> l.contains("--registry-host is required"));
        },
        "the error message, in " + output);
  }
}
