package io.rpyc.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rpyc.Registrar;
import io.rpyc.Rpyc;
import io.rpyc.ServiceNotFoundException;
import io.rpyc.internal.registry.Registration;
import io.rpyc.internal.registry.RegistrationRequest;
import io.rpyc.internal.registry.RegistryBackends;
import io.rpyc.testing.Await;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** bin/registry-server as a user runs it: a separate JVM from the packaged jar. */
class RegistryServerCommandIT {
  private static final Path SCRIPT =
      Path.of("..", "bin", "registry-server").toAbsolutePath().normalize();
  private static final Pattern LISTENING = Pattern.compile("listening on (\\S+):(\\d+) \\((\\w+),");

  private Process process;
  private Thread reader;

  @AfterEach
  void stop() throws InterruptedException {
    RegistryBackends.closeAll();
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** Starts the script and returns the lines it prints, as they come. */
  private BlockingQueue<String> start(String... args) throws IOException {
    assertTrue(Files.isExecutable(SCRIPT), SCRIPT + " is executable");
    String[] command = new String[args.length + 1];
    command[0] = SCRIPT.toString();
    System.arraycopy(args, 0, command, 1, args.length);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("RPYC_NO_BUILD", "1"); // the package phase already built the jar
    process = builder.start();
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    reader =
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
            "registry-server-output");
    reader.setDaemon(true);
    reader.start();
    return lines;
  }

  private static Matcher awaitListening(BlockingQueue<String> lines) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    StringBuilder seen = new StringBuilder();
    while (System.nanoTime() < deadline) {
      String line = lines.poll(100, TimeUnit.MILLISECONDS);
      if (line != null) {
        seen.append(line).append('\n');
        Matcher m = LISTENING.matcher(line);
        if (m.find()) {
          return m;
        }
      }
    }
    throw new AssertionError("registry-server did not print its address:\n" + seen);
  }

  @Test
  void tcpMode_withListing_servesRegistrationsOnTheAddressItPrints() throws Exception {
    Matcher m =
        awaitListening(
            start("--mode", "TCP", "--host", "127.0.0.1", "--port", "0", "--listing", "-t", "30"));
    assertEquals("tcp", m.group(3));
    Registrar registrar = Registrar.tcp(m.group(1), Integer.parseInt(m.group(2)));
    assertEquals(List.of(), Rpyc.listServices(registrar));
    Registration registration =
        RegistryBackends.open(registrar)
            .register(
                new RegistrationRequest(
                    List.of("CALC"), "127.0.0.1", 18861, null, Duration.ofMinutes(1)));
    Await.until(
        Duration.ofSeconds(10),
        () -> Rpyc.listServices(registrar).equals(List.of("CALC")),
        "the registration");
    registration.close();
    process.destroy();
    assertTrue(process.waitFor(20, TimeUnit.SECONDS), "exits on SIGTERM");
  }

  @Test
  void udpMode_isTheDefault_andAnswersQueries() throws Exception {
    Matcher m = awaitListening(start("--host", "127.0.0.1", "--port", "0", "--quiet"));
    assertEquals("udp", m.group(3));
    Registrar registrar = Registrar.udp(m.group(1), Integer.parseInt(m.group(2)));
    ServiceNotFoundException e =
        assertThrows(ServiceNotFoundException.class, () -> Rpyc.discover("CALC", registrar));
    assertNotNull(e.getMessage());
  }

  @Test
  void anUnknownMode_isReportedWithExitCode2() throws Exception {
    BlockingQueue<String> lines = start("--mode", "sctp", "--port", "0");
    assertTrue(process.waitFor(30, TimeUnit.SECONDS));
    assertEquals(2, process.exitValue());
    reader.join(10_000);
    String output = String.join("\n", lines);
    assertTrue(output.contains("sctp"), output);
  }
}
