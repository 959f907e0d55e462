package io.rpyc.benchmarks.harness;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Python RPyC on both sides: {@code bench_client.py} in a process of its own, connected to the
 * Python server, measuring itself row by row on the harness's command (a Python call cannot be
 * timed from the JVM). The baseline the "10x Python RPyC" means: Python programs calling a
 * Python server.
 */
final class PythonClientTarget extends Target {
  private final Process process;
  private final BufferedReader out;
  private final Writer in;

  PythonClientTarget(String key, String python, int port) throws IOException {
    super(key, "Python RPyC 5.3 (client and server)");
    process =
        new ProcessBuilder(python, "-c", source(), "127.0.0.1", String.valueOf(port))
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    String ready = readLine(60);
    if (!"READY".equals(ready)) {
      process.destroyForcibly();
      throw new IOException("the Python client did not start (said " + ready + ")");
    }
  }

  private static String source() throws IOException {
    try (InputStream s = PythonClientTarget.class.getResourceAsStream("bench_client.py")) {
      return new String(s.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private String readLine(long timeoutSeconds) throws IOException {
    CompletableFuture<String> line =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return out.readLine();
              } catch (IOException e) {
                return null;
              }
            });
    try {
      return line.get(timeoutSeconds, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted waiting for the Python client");
    } catch (ExecutionException | TimeoutException e) {
      process.destroyForcibly();
      throw new IOException("the Python client did not answer within " + timeoutSeconds + " s");
    }
  }

  /** Runs one measurement; returns the numbers it answered. */
  private synchronized double[] command(String command, long timeoutSeconds) throws IOException {
    in.write(command + "\n");
    in.flush();
    String answer = readLine(timeoutSeconds);
    if (answer == null || !answer.startsWith("OK")) {
      throw new IllegalStateException("Python client, " + command + ": " + answer);
    }
    String[] words = answer.substring(2).trim().split(" ");
    double[] numbers = new double[words.length];
    for (int i = 0; i < words.length; i++) {
      numbers[i] = Double.parseDouble(words[i]);
    }
    return numbers;
  }

  /** Median and p99 of {@code calls} timed {@code add}s, in µs. */
  double[] latency(int calls) throws IOException {
    return command("latency " + calls, 600);
  }

  /** Calls/s of {@code threads} threads sharing the connection for {@code millis}. */
  double threads(int threads, long millis, long perThread) throws IOException {
    return command("threads " + threads + " " + millis + " " + Math.min(perThread, 1L << 40), 600)[
        0];
  }

  /** Calls/s of {@code rpyc.async_} adds with at most {@code window} outstanding. */
  double pipelinedRate(int window, long millis, long maxCalls) throws IOException {
    return command("pipelined " + window + " " + millis + " " + Math.min(maxCalls, 1L << 40), 600)[
        0];
  }

  /** The times of {@code reps} echoes of {@code size} random bytes after {@code warm}, in ms. */
  List<Double> echo(int size, int reps, int warm) throws IOException {
    List<Double> times = new ArrayList<>();
    for (double t : command("echo " + size + " " + reps + " " + warm, 3600)) {
      times.add(t);
    }
    return times;
  }

  /** Median µs of {@code len()} on a remote list of 1,000 items. */
  double listSize(int calls) throws IOException {
    return command("listsize " + calls, 600)[0];
  }

  /** {@code n} objects created and dropped: ms to create, ms until the table is back, and both. */
  double[] refs(int n) throws IOException {
    return command("refs " + n, 3600);
  }

  @Override
  int add(int a, int b) {
    throw new UnsupportedOperationException("measured by the Python client itself");
  }

  @Override
  String note(String rowId) {
    switch (rowId) {
      case "add.latency.median":
      case "add.latency.p99":
      case "add.calls.1thread":
        return "conn.root.add(7, 1) as a Python program writes it (GETATTR, CALL and DEL)";
      case "add.calls.async":
        return "rpyc.async_(conn.root.add), waiting on the oldest result when the window is full";
      case "list.size.median":
        return "len() of a remote list (__len__)";
      default:
        return null;
    }
  }

  @Override
  public void close() {
    ServerProcess.end(process); // the client exits when its standard input closes
  }
}
