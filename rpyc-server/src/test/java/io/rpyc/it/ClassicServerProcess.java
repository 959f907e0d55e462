package io.rpyc.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rpyc.testing.Await;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code bin/classic-server} started as a user starts it, in its own JVM: collects what it prints
 * (its console) and the address it announces. Closing it sends SIGTERM and waits for the exit.
 */
final class ClassicServerProcess implements AutoCloseable {
  static final Path SCRIPT = Path.of("..", "bin", "classic-server").toAbsolutePath().normalize();
  private static final Pattern LISTENING =
      Pattern.compile("classic-server listening on (\\S+):(\\d+) \\(mode (\\w+)\\)");

  final Process process;
  private final StringBuffer console = new StringBuffer();
  private final List<Thread> drains = new ArrayList<>();

  private ClassicServerProcess(Process process, boolean drainStdout) {
    this.process = process;
    if (drainStdout) {
      drain(process.getInputStream(), "stdout");
    }
    drain(process.getErrorStream(), "stderr");
  }

  /**
   * Starts the script with {@code args}; {@code javaOpts} become the JVM's options. In stdio mode
   * standard output is the protocol and is left to the caller.
   */
  static ClassicServerProcess start(String javaOpts, String... args) throws IOException {
    assertTrue(Files.isExecutable(SCRIPT), SCRIPT + " is executable");
    List<String> command = new ArrayList<>();
    command.add(SCRIPT.toString());
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put("RPYC_NO_BUILD", "1"); // the package phase already built the jar
    builder.environment().put("JAVA_OPTS", javaOpts);
    boolean stdio = String.join(" ", args).contains("stdio");
    return new ClassicServerProcess(builder.start(), !stdio);
  }

  private void drain(InputStream stream, String name) {
    Thread t =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                  console.append(line).append('\n');
                }
              } catch (IOException e) {
                // the process is gone
              }
            },
            "classic-server-" + name);
    t.setDaemon(true);
    t.start();
    drains.add(t);
  }

  /** Everything the server printed so far, stdout and stderr interleaved by line. */
  String console() {
    return console.toString();
  }

  /** Waits until the console contains {@code text}. */
  void awaitConsole(String text) {
    Await.until(
        Duration.ofSeconds(30),
        () -> console.indexOf(text) >= 0 || !process.isAlive(),
        "the server to print '" + text + "'");
    assertTrue(console.indexOf(text) >= 0, () -> "the server printed:\n" + console);
  }

  /** The announced address: {@code [host, port, mode]}. */
  String[] address() {
    awaitConsole("classic-server listening on");
    Matcher m = LISTENING.matcher(console());
    assertTrue(m.find(), console::toString);
    return new String[] {m.group(1), m.group(2), m.group(3)};
  }

  String host() {
    return address()[0];
  }

  int port() {
    return Integer.parseInt(address()[1]);
  }

  /** Waits for the process to exit by itself; returns its exit code. */
  int awaitExit() throws InterruptedException {
    assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the server exits");
    for (Thread t : drains) {
      t.join(5000);
    }
    return process.exitValue();
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
