package io.rpyc.it.python;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The real Python RPyC 5.3 (Debian's python3-rpyc under /usr/bin/python3) for interop tests. Where
 * it is missing the tests skip with how to install it; with {@code CI=true} they fail instead.
 */
public final class PythonRpyc {
  static final Path PYTHON = Path.of("/usr/bin/python3");
  private static volatile Boolean available;

  private PythonRpyc() {}

  /** Skips (or, in CI, fails) the test unless Python RPyC 5.3 is installed. */
  public static void assumeInstalled() {
    if (available == null) {
      available = probe();
    }
    if (!available) {
      String message =
          "Python RPyC 5.3 is not installed: apt-get install python3-rpyc (it runs under /usr/bin/python3)";
      if ("true".equals(System.getenv("CI"))) {
        fail(message + " — CI must install every prerequisite (.ci/run does)");
      }
      Assumptions.abort(message);
    }
  }

  private static boolean probe() {
    if (!Files.isExecutable(PYTHON)) {
      return false;
    }
    try {
      Process p =
          new ProcessBuilder(PYTHON.toString(), "-c", "import rpyc; print(rpyc.__version__)")
              .redirectErrorStream(true)
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 && out.startsWith("5.");
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  static Path script(String name) {
    try {
      return Path.of(PythonRpyc.class.getResource("/python/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Runs a script to completion and returns its standard output (failing on a non-zero exit). */
  static String run(String script, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(PYTHON.toString(), script(script).toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail(script + " did not finish");
    }
    assertEquals(0, p.exitValue(), () -> script + " failed:\n" + out + err);
    return out.trim();
  }

  /** A long-running Python server that prints "PORT n" when it listens. */
  static final class Server implements AutoCloseable {
    final Process process;
    final int port;

    Server(String script, String... args) throws IOException {
      List<String> command =
          new ArrayList<>(List.of(PYTHON.toString(), "-u", script(script).toString()));
      command.addAll(List.of(args));
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
      BufferedReader out =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      int found = -1;
      StringBuilder seen = new StringBuilder();
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        seen.append(line).append('\n');
        if (line.startsWith("PORT ")) {
          found = Integer.parseInt(line.substring(5).trim());
          break;
        }
      }
      if (found < 0) {
        process.destroyForcibly();
        throw new IOException(script + " did not start:\n" + seen);
      }
      port = found;
      Thread drain =
          new Thread(
              () -> {
                try {
                  while (out.readLine() != null) {
                    // keep the pipe from filling up
                  }
                } catch (IOException e) {
                  // the process ended
                }
              },
              "python-output");
      drain.setDaemon(true);
      drain.start();
    }

    @Override
    public void close() {
      process.destroy();
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
