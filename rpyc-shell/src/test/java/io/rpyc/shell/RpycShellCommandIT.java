package io.rpyc.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.rpyc.server.RpycServer;
import io.rpyc.server.classic.ClassicService;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/rpyc-shell} and {@code ClassicConnection.interact()} as processes a user starts, their
 * input piped (JLine's dumb terminal), against a classic server in this JVM: the snippets run here,
 * not in the shell's process.
 */
@Timeout(120)
class RpycShellCommandIT {
  private static final Path SCRIPT =
      Path.of("..", "bin", "rpyc-shell").toAbsolutePath().normalize();
  @TempDir Path dir;
  private RpycServer server;
  private final List<Process> processes = new ArrayList<>();

  @BeforeEach
  void startServer() {
    server = ClassicService.serverBuilder().port(0).build().start();
  }

  @AfterEach
  void stop() {
    processes.forEach(Process::destroyForcibly);
    server.close(Duration.ofSeconds(2));
  }

  @Test
  void snippetsRunInTheServersJvm() throws Exception {
    Shell shell = start(List.of(SCRIPT.toString(), "127.0.0.1:" + server.port()));
    shell.send("ProcessHandle.current().pid()\n/exit\n");
    assertEquals(0, shell.awaitExit(), shell::output);
    long here = ProcessHandle.current().pid();
    assertTrue(shell.output().contains("==> " + here + " : long"), shell::output);
    assertTrue(here != shell.process.pid());
    assertTrue(Files.readString(dir.resolve("history")).contains("ProcessHandle.current().pid()"));
  }

  @Test
  void sigint_stopsTheRunningSnippet_notTheShell() throws Exception {
    Shell shell = start(List.of(SCRIPT.toString(), "127.0.0.1:" + server.port()));
    shell.send("int x = 2;\nSystem.out.println(\"loop\" + \"ing\"); while (true) {}\n");
    shell.awaitOutput("looping");
    new ProcessBuilder("kill", "-INT", String.valueOf(shell.process.pid())).start().waitFor();
    shell.awaitOutput("Stopped.");
    shell.send("x * 21\n/exit\n");
    assertEquals(0, shell.awaitExit(), shell::output);
    assertTrue(shell.output().contains("==> 42 : int"), shell::output);
  }

  @Test
  void anUnreachableServer_isReported_andTheShellStillAnswers() throws Exception {
    Shell shell = start(List.of(SCRIPT.toString(), "127.0.0.1:1"));
    shell.send("1 + 1\n/exit\n");
    assertEquals(0, shell.awaitExit(), shell::output);
    assertTrue(shell.output().contains("Could not connect to 127.0.0.1:1"), shell::output);
    assertTrue(shell.output().contains("Not connected. Use /connect host[:port]."), shell::output);
  }

  @Test
  void interact_opensTheShellFromCode() throws Exception {
    Shell shell =
        start(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Duser.home=" + dir,
                "-cp",
                System.getProperty("java.class.path"),
                InteractMain.class.getName(),
                String.valueOf(server.port())));
    shell.send("answer * 2\n/exit\n");
    assertEquals(0, shell.awaitExit(), shell::output);
    assertTrue(shell.output().contains("==> 84 : int"), shell::output);
    assertTrue(shell.output().contains("after the shell: answer = 42"), shell::output);
  }

  private Shell start(List<String> command) throws IOException {
    // as from a terminal: SIGINT not ignored, even when this JVM runs as a background job
    List<String> full = new ArrayList<>(List.of("env", "--default-signal=INT"));
    full.addAll(command);
    if (command.get(0).equals(SCRIPT.toString())) {
      full.add("--history");
      full.add(dir.resolve("history").toString());
    }
    ProcessBuilder builder = new ProcessBuilder(full).redirectErrorStream(true);
    builder.environment().put("RPYC_NO_BUILD", "1"); // the package phase built the jar
    Process process = builder.start();
    processes.add(process);
    return new Shell(process);
  }

  /** A shell process: its piped input and everything it printed. */
  private static final class Shell {
    final Process process;
    private final StringBuffer output = new StringBuffer();
    private final Thread drain;

    Shell(Process process) {
      this.process = process;
      drain =
          new Thread(
              () -> {
                byte[] buffer = new byte[8192];
                try (InputStream in = process.getInputStream()) {
                  for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
                    output.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                  }
                } catch (IOException e) {
                  // the process is gone
                }
              });
      drain.setDaemon(true);
      drain.start();
    }

    void send(String keys) throws IOException {
      OutputStream in = process.getOutputStream();
      in.write(keys.getBytes(StandardCharsets.UTF_8));
      in.flush();
    }

    String output() {
      return output.toString();
    }

    void awaitOutput(String text) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (output.indexOf(text) < 0) {
        if (System.nanoTime() > deadline || !process.isAlive()) {
          fail("the shell did not print '" + text + "':\n" + output + signals());
        }
        Thread.sleep(10);
      }
    }

    /** The process's signal masks, which explain a SIGINT that did nothing. */
    private String signals() {
      try {
        return "\n"
            + Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status")).stream()
                .filter(l -> l.startsWith("Sig") || l.startsWith("Name"))
                .collect(java.util.stream.Collectors.joining("\n"));
      } catch (IOException | RuntimeException e) {
        return "";
      }
    }

    int awaitExit() throws InterruptedException {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        fail("the shell did not exit:\n" + output);
      }
      drain.join(10_000); // until the end of its output
      return process.exitValue();
    }
  }
}
