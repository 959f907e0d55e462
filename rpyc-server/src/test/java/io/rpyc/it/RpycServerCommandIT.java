package io.rpyc.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rpyc.Connection;
import io.rpyc.Rpyc;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** bin/rpyc-server as a user runs it: a separate JVM serving a class from a classpath. */
class RpycServerCommandIT {
  private static final Path SCRIPT =
      Path.of("..", "bin", "rpyc-server").toAbsolutePath().normalize();
  private static final Pattern LISTENING =
      Pattern.compile("listening on (\\S+):(\\d+) \\(service (\\w+)\\)");

  private static Process start(String... args) throws IOException {
    String[] command = new String[args.length + 1];
    command[0] = SCRIPT.toString();
    System.arraycopy(args, 0, command, 1, args.length);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("RPYC_NO_BUILD", "1"); // the package phase already built the jar
    return builder.start();
  }

  @Test
  void servesAServiceClass_toAJvmClient_withTheExtension() throws Exception {
    assertTrue(Files.isExecutable(SCRIPT), SCRIPT + " is executable");
    Process server =
        start(
            "--service", TestService.class.getName(),
            "--classpath", Path.of("target", "test-classes").toAbsolutePath().toString(),
            "--port", "0");
    try {
      BufferedReader out =
          new BufferedReader(
              new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
      Matcher m = null;
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        m = LISTENING.matcher(line);
        if (m.find()) {
          break;
        }
      }
      assertTrue(m != null && m.find(0), "the server printed its address");
      assertEquals("TEST", m.group(3));
      try (Connection conn = Rpyc.connect(m.group(1), Integer.parseInt(m.group(2)))) {
        assertTrue(conn.isJavaPeer(), "the Java extension was negotiated");
        assertEquals(3, conn.root().call("add", 1, 2));
        assertEquals("java.lang.Short", conn.root().call("typeOf", (short) 1));
      }
    } finally {
      server.destroy();
      assertTrue(server.waitFor(20, TimeUnit.SECONDS), "the server exits on SIGTERM");
    }
  }

  @Test
  void anUnknownClass_isReportedWithExitCode2() throws Exception {
    Process server = start("--service", "com.example.Missing", "--port", "0");
    String output = new String(server.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(server.waitFor(20, TimeUnit.SECONDS));
    assertEquals(2, server.exitValue());
    assertTrue(output.contains("class not found: com.example.Missing"), output);
  }
}
