package io.rpyc.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rpyc.ClassicConnection;
import io.rpyc.Rpyc;
import io.rpyc.server.RpycServer;
import io.rpyc.server.classic.ClassicService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shell driven through a JLine terminal on piped keys against a real classic server (in this
 * JVM, over a real socket): what a user types, what the user sees.
 */
@Timeout(120)
class RemoteShellIT {
  @TempDir Path dir;
  private RpycServer server;
  private Path history;

  @BeforeEach
  void startServer() {
    server = ClassicService.serverBuilder().port(0).build().start();
    history = dir.resolve("history");
    Gate.close();
  }

  @AfterEach
  void stopServer() {
    Gate.open();
    server.close(Duration.ofSeconds(2));
  }

  @Test
  void evaluatesOnTheServer_andPrintsValuesWithTheirTypes() throws Exception {
    try (ShellDriver shell = ShellDriver.connectedTo(server.port(), history)) {
      shell.await("Connected to 127.0.0.1:" + server.port() + ": Java ");
      shell.enter(
          "System.getProperty(\"java.version\")",
          "$1 ==> \"" + System.getProperty("java.version") + "\" : String");
      shell.enter("int x = 2;", "x ==> 2 : int");
      shell.enter("x * 21", "$2 ==> 42 : int");
      shell.enter("\"a\" + 'b'", "\"ab\" : String");
      shell.enter("new int[] {1, 2}", "int[2] { 1, 2 } : int[]");
      shell.enter("int twice(int a) { return 2 * a; }", "created method twice(int)");
      shell.enter("twice(x)", "==> 4 : int");
      shell.enter("record Point(int x, int y) {}", "created record Point");
      shell.enter("new Point(1, 2).y()", "==> 2 : int");
      shell.type("/exit\n");
      shell.awaitExit();
    }
  }

  @Test
  void aTypo_showsTheCompilersDiagnostic_andTheSessionGoesOn() throws Exception {
    try (ShellDriver shell = ShellDriver.connectedTo(server.port(), history)) {
      shell.enter("int x = 2;", "x ==> 2");
      String error = shell.enter("Sytem.out.println(x)", "^");
      assertTrue(error.contains("Error:"), error);
      assertTrue(error.contains("package Sytem does not exist"), error);
      assertTrue(error.contains("Sytem.out.println(x)"), error);
      shell.enter(
          "String s = 42;", "incompatible types: int cannot be converted to java.lang.String");
      String thrown = shell.enter("1 / 0", "at ");
      assertTrue(thrown.contains("Exception java.lang.ArithmeticException: / by zero"), thrown);
      shell.enter("x + 1", "==> 3 : int");
    }
  }

  @Test
  void tab_completesNamesFromTheServersJshell() throws Exception {
    try (ShellDriver shell = ShellDriver.connectedTo(server.port(), history)) {
      shell.await("Connected");
      // what Tab inserted is what gets evaluated: without it "Sys.getProp" would not compile
      shell.type("Sys\t");
      shell.await("System");
      shell.type(".getProp\t"); // two candidates: the common part is inserted, both are listed
      shell.await("getProperties()");
      shell.type("y\t"); // now one: getProperty(
      shell.await("getProperty(");
      shell.enter("\"java.version\")", "==> \"" + System.getProperty("java.version") + "\"");
      shell.enter("String greeting = \"hi\";", "greeting ==> \"hi\"");
      shell.type("gree\t");
      shell.enter(".length()", "==> 2 : int");
    }
  }

  @Test
  void anUnfinishedSnippet_continuesOnTheNextLine() throws Exception {
    try (ShellDriver shell = ShellDriver.connectedTo(server.port(), history)) {
      shell.await("Connected");
      shell.type("for (int i = 0; i < 3; i++) {\n");
      shell.await(RemoteShell.CONTINUATION_PROMPT);
      shell.type("  System.out.println(\"line \" + i);\n");
      shell.await(RemoteShell.CONTINUATION_PROMPT);
      String output = shell.enter("}", "line 2");
      assertTrue(output.contains("line 0") && output.contains("line 1"), output);
      shell.type("int sum(int a,\n");
      shell.await(RemoteShell.CONTINUATION_PROMPT);
      shell.enter("        int b) { return a + b; }", "created method sum(int,int)");
      shell.enter("sum(40, 2)", "==> 42 : int");
    }
  }

  @Test
  void remoteOutput_isShownWhileTheSnippetRuns() throws Exception {
    try (ShellDriver shell = ShellDriver.connectedTo(server.port(), history)) {
      shell.await("Connected");
      shell.type(
          "System.out.println(\"before\"); System.err.println(\"to stderr\");"
              + " io.rpyc.shell.Gate.pass(); System.out.println(\"af\" + \"ter\");\n");
      shell.await("before");
      shell.await("to stderr");
      assertFalse(shell.screen().contains("after"), "the snippet is still waiting at the gate");
      Gate.open();
      shell.await("after");
      shell.enter("1 + 1", "==> 2 : int");
    }
  }

  @Test
  void ctrlC_stopsARunningSnippet_andTheConnectionStaysUsable() throws Exception {
    try (ShellDriver shell = ShellDriver.connectedTo(server.port(), history)) {
      shell.enter("int x = 2;", "x ==> 2");
      shell.type("System.out.println(\"loop\" + \"ing\"); while (true) {}\n");
      shell.await("looping");
      shell.type("\u0003");
      shell.await("Stopped.");
      shell.enter("x * 21", "==> 42 : int");
      shell.type("System.out.println(\"sle\" + \"eping\"); Thread.sleep(60_000);\n");
      shell.await("sleeping");
      shell.type("\u0003");
      shell.await("Stopped."); // by the interrupt, or before the sleep if it came during the print
      shell.enter("x", "x ==> 2 : int");
      // a snippet stopped while it prints: its output is still redirected here afterwards
      shell.type("for (int i = 0; ; i++) System.out.println(\"n\" + i);\n");
      shell.await("n100");
      shell.type("\u0003");
      shell.await("Stopped.");
      shell.enter("System.out.println(\"still\" + \" here\")", "still here");
      shell.type("\u0003"); // at the prompt: drops the line, nothing else
      shell.await("^C");
      shell.await(RemoteShell.PROMPT); // typed before this, keys would race the interrupt
      shell.enter("x + 1", "==> 3 : int");
    }
  }

  @Test
  void commands_listVariablesImports_andHelp() throws Exception {
    try (ShellDriver shell = ShellDriver.connectedTo(server.port(), history)) {
      shell.enter("int x = 2;", "x ==> 2");
      shell.enter("String name = \"jvm\";", "name ==> \"jvm\"");
      shell.enter("import java.time.*;", PROMPT_AFTER);
      String vars = shell.enter("/vars", "String name = \"jvm\"");
      assertTrue(vars.contains("int x = 2"), vars);
      String imports = shell.enter("/imports", "import java.time.*;");
      assertTrue(imports.contains("import java.util.*;"), imports);
      String help = shell.enter("/help", "/exit");
      assertTrue(help.contains("/connect") && help.contains("/vars"), help);
      shell.enter("/nonsense", "Unknown command /nonsense");
      shell.type("/exit\n");
      shell.awaitExit();
    }
    String saved = Files.readString(history);
    assertTrue(saved.contains("String name = \"jvm\";") && saved.contains("/vars"), saved);
  }

  private static final String PROMPT_AFTER = RemoteShell.PROMPT;

  @Test
  void aLostConnection_isReported_andConnectTriesAgain() throws Exception {
    try (ShellDriver shell = ShellDriver.connectedTo(server.port(), history)) {
      shell.enter("int x = 2;", "x ==> 2");
      server.close(Duration.ZERO);
      String lost = shell.enter("x", "/connect");
      assertTrue(lost.contains("lost") || lost.contains("closed"), lost);
      shell.enter("x", "Not connected");
      server = ClassicService.serverBuilder().port(0).build().start();
      shell.enter("/connect 127.0.0.1:" + server.port(), "Connected to 127.0.0.1:" + server.port());
      shell.enter("int y = 5;", "y ==> 5 : int");
      shell.enter("/connect 127.0.0.1:1", "Could not connect to 127.0.0.1:1");
      shell.enter("y", "Not connected");
    }
  }

  @Test
  void interact_runsTheShellOnAConnectionItDoesNotClose() throws Exception {
    try (ClassicConnection conn = Rpyc.classic().connect("127.0.0.1", server.port())) {
      conn.execute("int answer = 42;");
      try (ShellDriver shell =
          new ShellDriver(b -> b.connection(conn, "the server").historyFile(history))) {
        shell.enter("answer", "answer ==> 42 : int");
        shell.type("/exit\n");
        shell.awaitExit();
      }
      assertFalse(conn.isClosed());
      assertEquals(42, conn.eval("answer"));
    }
  }
}
