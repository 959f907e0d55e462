package io.rpyc.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * RPyC's own classic client ({@code rpyc.classic.connect}, Python) against {@code
 * bin/classic-server}: it connects (asking for {@code builtins} and {@code importlib.util} on the
 * way), and finds {@code getmodule}, {@code eval}, {@code execute} and {@code namespace} under
 * RPyC's names.
 */
class ClassicPythonClientIT {
  private static final String PYTHON = "/usr/bin/python3";

  private static final String SCRIPT =
      String.join(
          "\n",
          "import sys, rpyc",
          "conn = rpyc.classic.connect('127.0.0.1', int(sys.argv[1]))",
          "print('builtins', conn.builtins)",
          "print('property', conn.modules['java.lang.System'].getProperty('classic.it.python'))",
          "conn.execute('int x = 41;')",
          "print('eval', conn.eval('x + 1'))",
          "print('namespace', conn.namespace['x'])",
          "lst = conn.modules.java.util.ArrayList()",
          "lst.add('a')",
          "print('list', len(lst), list(lst))",
          "print('contains', 'java.util' in conn.modules, 'no.such' in conn.modules)",
          "conn.close()");

  @Test
  void rpycsClassicClient_connectsAndEvaluates() throws Exception {
    io.rpyc.it.python.PythonRpyc.assumeInstalled(); // skips on a workstation, fails in CI
    try (ClassicServerProcess server =
        ClassicServerProcess.start("-Dclassic.it.python=yes", "--port", "0", "-q")) {
      Process python =
          new ProcessBuilder(PYTHON, "-c", SCRIPT, String.valueOf(server.port()))
              .redirectErrorStream(true)
              .start();
      String output = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(python.waitFor(60, TimeUnit.SECONDS));
      assertEquals(0, python.exitValue(), output);
      List<String> lines = output.lines().toList();
      assertEquals(
          List.of(
              "builtins package java.lang",
              "property yes",
              "eval 42",
              "namespace 41",
              "list 1 ['a']",
              "contains True False"),
          lines,
          output);
    }
  }
}
