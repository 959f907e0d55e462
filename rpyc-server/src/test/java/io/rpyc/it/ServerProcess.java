package io.rpyc.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** bin/rpyc-server in a child process, serving a test service class. */
final class ServerProcess implements AutoCloseable {
  private static final Path SCRIPT =
      Path.of("..", "bin", "rpyc-server").toAbsolutePath().normalize();
  private static final Pattern LISTENING = Pattern.compile("listening on (\\S+):(\\d+)");

  final Process process;
  final String host;
  final int port;

  private ServerProcess(Process process, String host, int port) {
    this.process = process;
    this.host = host;
    this.port = port;
  }

  /** Starts the server and waits for its address line. */
  static ServerProcess start(Class<?> service, int port, String... extra) throws IOException {
    List<String> command =
        new ArrayList<>(
            List.of(
                SCRIPT.toString(),
                "--service",
                service.getName(),
                "--classpath",
                Path.of("target", "test-classes").toAbsolutePath().toString(),
                "--port",
                String.valueOf(port)));
    command.addAll(List.of(extra));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("RPYC_NO_BUILD", "1");
    Process process = builder.start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    for (String line = out.readLine(); line != null; line = out.readLine()) {
      Matcher m = LISTENING.matcher(line);
      if (m.find()) {
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
                "server-output");
        drain.setDaemon(true);
        drain.start();
        return new ServerProcess(process, m.group(1), Integer.parseInt(m.group(2)));
      }
    }
    throw new IOException("the server exited without printing its address");
  }

  void kill() {
    process.destroyForcibly();
    waitFor();
  }

  @Override
  public void close() {
    process.destroy();
    if (!waitFor()) {
      kill();
    }
  }

  private boolean waitFor() {
    try {
      return process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
