package io.rpyc.benchmarks.harness;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A server in a process of its own, started by the harness: waits for its {@code READY <address>}
 * line, and ends it by closing its standard input (then, if it lingers, by destroying it).
 */
final class ServerProcess implements AutoCloseable {
  private final String name;
  private final Process process;
  private final String address;

  private ServerProcess(String name, List<String> command) throws IOException {
    this.name = name;
    this.process =
        new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<String> ready =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                String line;
                while ((line = out.readLine()) != null) {
                  if (line.startsWith("READY ")) {
                    return line.substring("READY ".length()).trim();
                  }
                }
                return null;
              } catch (IOException e) {
                return null;
              }
            });
    String a;
    try {
      a = ready.get(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      a = null;
    } catch (ExecutionException | TimeoutException e) {
      a = null;
    }
    if (a == null) {
      process.destroyForcibly();
      throw new IOException(name + " server did not start: " + String.join(" ", command));
    }
    this.address = a;
  }

  /** Starts {@code ServerMain kind args...} in a new JVM with this JVM's class path. */
  static ServerProcess java(String kind, List<String> jvmOptions, String... args)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(ServerMain.class.getName());
    command.add(kind);
    command.addAll(List.of(args));
    return new ServerProcess(kind, command);
  }

  /** Starts a Python program given as source text. */
  static ServerProcess python(String python, String source) throws IOException {
    return new ServerProcess("python", List.of(python, "-c", source));
  }

  /** What the server printed after {@code READY}. */
  String address() {
    return address;
  }

  /** The operating system's process id. */
  long pid() {
    return process.pid();
  }

  @Override
  public void close() {
    end(process);
  }

  /**
   * Ends a process of the harness: closes its standard input (each one exits then), and destroys it
   * if it lingers.
   */
  static void end(Process process) {
    try {
      process.getOutputStream().close();
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      }
    } catch (IOException e) {
      process.destroyForcibly();
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return name + " server (pid " + process.pid() + ")";
  }
}
