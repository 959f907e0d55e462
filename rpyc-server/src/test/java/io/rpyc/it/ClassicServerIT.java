package io.rpyc.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rpyc.AsyncResult;
import io.rpyc.ClassicConnection;
import io.rpyc.ClassicConnection.Captured;
import io.rpyc.ClassicConnection.SerializableFunction;
import io.rpyc.ClassicConnection.StdioRedirection;
import io.rpyc.RemoteInvocationException;
import io.rpyc.RemoteRef;
import io.rpyc.Rpyc;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Classic mode end to end: {@code bin/classic-server} in its own JVM (with a system property and a
 * processor count of its own, so that answers provably come from there), clients in this one.
 */
class ClassicServerIT {
  private static ClassicServerProcess server;
  private final List<AutoCloseable> opened = new ArrayList<>();

  @BeforeAll
  static void startServer() throws IOException {
    server =
        ClassicServerProcess.start(
            "-Dclassic.it.marker=from-the-server -XX:ActiveProcessorCount=3", "--port", "0");
    server.port();
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  @AfterEach
  void closeConnections() throws Exception {
    for (AutoCloseable c : opened) {
      c.close();
    }
  }

  private ClassicConnection connect() {
    ClassicConnection conn = Rpyc.classic().connect(server.host(), server.port());
    opened.add(conn);
    return conn;
  }

  // ------------------------------------------------------------------ modules

  @Test
  void modules_staticMethodOfAServerClass_runsInTheServer() {
    ClassicConnection conn = connect();
    RemoteRef system = conn.modules().get("java.lang.System");
    assertTrue(system.isRemoteClass());
    assertEquals("from-the-server", system.call("getProperty", "classic.it.marker"));
    assertNull(System.getProperty("classic.it.marker"), "not set in this JVM");
    assertEquals(
        Long.valueOf(server.process.pid()),
        Rpyc.ref(conn.modules().get("java.lang.ProcessHandle").call("current")).call("pid"));
  }

  @Test
  void modules_runtimeAvailableProcessors_isTheServers() {
    ClassicConnection conn = connect();
    RemoteRef runtime = Rpyc.ref(conn.modules().get("java.lang.Runtime").call("getRuntime"));
    assertEquals(3, runtime.call("availableProcessors"));
  }

  @Test
  @SuppressWarnings("unchecked")
  void modules_remoteArrayList_isConstructedFilledAndRead() {
    ClassicConnection conn = connect();
    Object remote = conn.modules().get("java.util.ArrayList").invoke();
    assertEquals("java.util.ArrayList", Rpyc.ref(remote).remoteClassName());
    List<Object> list = (List<Object>) remote; // a typed proxy: every call runs in the server
    list.add("one");
    list.add(2);
    Rpyc.ref(remote).call("add", 3.0);
    assertEquals(3, list.size());
    assertEquals("one", list.get(0));
    assertEquals(List.of("one", 2, 3.0), new ArrayList<>(list));
    assertEquals("[one, 2, 3.0]", remote.toString());
  }

  @Test
  void modules_packagesAndNestedClasses_canBeNavigated() {
    ClassicConnection conn = connect();
    RemoteRef util = conn.modules().get("java.util");
    assertFalse(util.isRemoteClass());
    RemoteRef arrayList = Rpyc.ref(util.getAttr("ArrayList"));
    assertTrue(arrayList.isRemoteClass());
    assertEquals("java.util.ArrayList", arrayList.remoteClassName());
    RemoteRef concurrent = Rpyc.ref(util.getAttr("concurrent"));
    assertEquals(
        "java.util.concurrent.ConcurrentHashMap",
        Rpyc.ref(concurrent.getAttr("ConcurrentHashMap")).remoteClassName());
    assertTrue(util.dir().containsAll(List.of("ArrayList", "HashMap", "concurrent")));
    assertEquals(
        "java.util.Map$Entry", conn.modules().get("java.util.Map.Entry").remoteClassName());
    assertEquals(
        "java.util.Map$Entry",
        Rpyc.ref(conn.modules().get("java.util.Map").getAttr("Entry")).remoteClassName());
    assertEquals(
        List.of("a", "b"),
        new ArrayList<>((List<?>) conn.modules().get("java.util.List").call("of", "a", "b")));
  }

  @Test
  void modules_unknownClass_isAClassNotFoundExceptionNamingIt() {
    ClassicConnection conn = connect();
    RemoteInvocationException e =
        assertThrows(
            RemoteInvocationException.class, () -> conn.modules().get("com.example.Missing"));
    assertTrue(e.isInstanceOf(ClassNotFoundException.class), e::toString);
    assertTrue(e.getMessage().contains("com.example.Missing"), e::getMessage);
    assertEquals(
        "from-the-server",
        conn.modules().get("java.lang.System").call("getProperty", "classic.it.marker"));
  }

  // ------------------------------------------------------------------ jshell

  @Test
  void executeThenEval_keepsStatePerConnection() {
    ClassicConnection conn = connect();
    conn.execute("int x = 41;");
    assertEquals(42, conn.eval("x + 1"));
    assertEquals("from-the-server", conn.eval("System.getProperty(\"classic.it.marker\")"));
    Map<String, Object> namespace = conn.namespace();
    assertEquals(41, namespace.get("x"));
    assertTrue(namespace.containsKey("x"));
    conn.execute(
        "String greet(String who) { return \"hello \" + who; } var words = new ArrayList<String>();");
    assertEquals("hello there", conn.eval("greet(\"there\")"));
    assertEquals(true, conn.eval("words.add(\"w\")"));
    assertEquals(List.of("w"), new ArrayList<>((List<?>) conn.eval("words")));

    ClassicConnection other = connect();
    RemoteInvocationException e =
        assertThrows(RemoteInvocationException.class, () -> other.eval("x"));
    assertTrue(e.getMessage().contains("cannot find symbol"), e::getMessage);
  }

  @Test
  void namespace_put_declaresAVariableForLaterSnippets() {
    ClassicConnection conn = connect();
    Object remoteList = conn.modules().get("java.util.ArrayList").invoke();
    Rpyc.ref(remoteList).call("add", "x");
    conn.namespace().put("items", remoteList); // the server's own list: typed as ArrayList there
    conn.namespace().put("greeting", "hi");
    assertEquals(1, conn.eval("items.size()"));
    assertEquals(2, conn.eval("greeting.length()"));
    assertEquals("hi", conn.namespace().remove("greeting"));
    assertFalse(conn.namespace().containsKey("greeting"));
  }

  @Test
  void eval_compileError_listsTheDiagnostics_andTheConnectionSurvives() {
    ClassicConnection conn = connect();
    conn.execute("int kept = 7;");
    RemoteInvocationException e =
        assertThrows(RemoteInvocationException.class, () -> conn.eval("int y = ;"));
    assertEquals("io.rpyc.server.classic.SnippetCompileException", e.remoteType());
    assertTrue(e.getMessage().contains("illegal start of expression"), e::getMessage);
    assertTrue(e.getMessage().contains("int y = ;"), e::getMessage);
    RemoteInvocationException unknown =
        assertThrows(RemoteInvocationException.class, () -> conn.eval("undefinedThing.foo()"));
    assertTrue(unknown.getMessage().contains("cannot find symbol"), unknown::getMessage);
    assertEquals(7, conn.eval("kept"));
  }

  @Test
  void eval_runtimeException_isTheRemoteExceptionWithItsStackTrace() {
    ClassicConnection conn = connect();
    RemoteInvocationException e =
        assertThrows(RemoteInvocationException.class, () -> conn.eval("Integer.parseInt(\"zz\")"));
    assertTrue(e.isInstanceOf(NumberFormatException.class), e::toString);
    assertTrue(e.getMessage().contains("For input string: \"zz\""), e::getMessage);
    assertTrue(
        e.remoteTraceback().contains("at java.base/java.lang.Integer.parseInt"),
        e.remoteTraceback());
    assertTrue(e.remoteTraceback().contains("REPL."), e.remoteTraceback());
    assertEquals(3, conn.eval("1 + 2"));
  }

  // ------------------------------------------------------------------ stdio

  @Test
  void redirectedStdio_twoConcurrentConnections_eachSeeOnlyTheirOwnOutput() throws Exception {
    ClassicConnection a = connect();
    ClassicConnection b = connect();
    Output outA = new Output();
    Output outB = new Output();
    ExecutorService threads = Executors.newFixedThreadPool(2);
    StdioRedirection ra = a.redirectedStdio(outA.out, outA.err);
    StdioRedirection rb = b.redirectedStdio(outB.out, outB.err);
    try {
      CountDownLatch start = new CountDownLatch(1);
      Future<?> fa = threads.submit(() -> printMany(a, "A", start));
      Future<?> fb = threads.submit(() -> printMany(b, "B", start));
      start.countDown();
      fa.get(60, TimeUnit.SECONDS);
      fb.get(60, TimeUnit.SECONDS);
    } finally {
      ra.close();
      rb.close();
      threads.shutdown();
    }
    assertEquals(expectedLines("A", "out"), outA.outText());
    assertEquals(expectedLines("A", "err"), outA.errText());
    assertEquals(expectedLines("B", "out"), outB.outText());
    assertEquals(expectedLines("B", "err"), outB.errText());

    // after the redirection ends, and for other connections, the server's console gets it
    a.execute("System.out.println(\"console-sentinel-after\");");
    server.awaitConsole("console-sentinel-after");
    assertFalse(server.console().contains("A-out"), server::console);
    assertFalse(server.console().contains("B-err"), server::console);
    assertEquals("", outA.outText().replace(expectedLines("A", "out"), ""));
  }

  private static Object printMany(ClassicConnection conn, String name, CountDownLatch start)
      throws InterruptedException {
    start.await();
    conn.execute(
        "for (int i = 0; i < 40; i++) { System.out.println(\""
            + name
            + "-out \" + i); System.err.println(\""
            + name
            + "-err \" + i); }");
    // a plain remote call on System.out, not through jshell, is routed too
    RemoteRef out = Rpyc.ref(conn.modules().get("java.lang.System").getAttr("out"));
    out.call("println", name + "-out direct");
    RemoteRef err = Rpyc.ref(conn.modules().get("java.lang.System").getAttr("err"));
    err.call("print", name + "-err direct\n");
    return null;
  }

  private static String expectedLines(String name, String stream) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < 40; i++) {
      s.append(name)
          .append('-')
          .append(stream)
          .append(' ')
          .append(i)
          .append(System.lineSeparator());
    }
    s.append(name).append('-').append(stream).append(" direct");
    s.append(stream.equals("out") ? System.lineSeparator() : "\n");
    return s.toString();
  }

  @Test
  void redirectedStdio_defaultsToThisJvmsStandardOutput_andKeepsEveryCharacter() {
    ClassicConnection conn = connect();
    PrintStream original = System.out;
    Output captured = new Output();
    String accents = "x" + "é".repeat(10_000); // crosses 8 KiB chunks mid-character
    System.setOut(captured.out);
    StdioRedirection redirect = conn.redirectedStdio();
    try {
      RemoteRef out = Rpyc.ref(conn.modules().get("java.lang.System").getAttr("out"));
      out.call("println", "to the caller: naïve ✓ 日本");
      out.call("println", accents);
    } finally {
      redirect.close();
      System.setOut(original);
    }
    String nl = System.lineSeparator();
    assertEquals("to the caller: naïve ✓ 日本" + nl + accents + nl, captured.outText());
  }

  @Test
  void evalCaptured_returnsTheValueWithWhatItPrinted() throws Exception {
    ClassicConnection conn = connect();
    Captured<Object> c =
        conn.evalCaptured("System.out.print(\"partial\"); System.err.println(\"e\"); 6 * 7");
    assertEquals(42, c.value());
    assertEquals("partial", c.stdout());
    assertEquals("e" + System.lineSeparator(), c.stderr());

    Captured<Object> failed =
        conn.evalCaptured("System.out.println(\"before\"); Integer.parseInt(\"q\")");
    assertEquals("before" + System.lineSeparator(), failed.stdout());
    assertTrue(failed.error().isInstanceOf(NumberFormatException.class), failed::toString);
    assertThrows(RemoteInvocationException.class, failed::value);

    AsyncResult<Captured<Object>> async = conn.evalCapturedAsync("System.out.print(\"async\"); 1");
    Captured<Object> later = async.get(30, TimeUnit.SECONDS);
    assertEquals("async", later.stdout());
    assertEquals(1, later.value());
    assertFalse(server.console().contains("partial"));
  }

  // ------------------------------------------------------------------ teleport

  @Test
  void teleport_lambdaCapturingALocal_callsAHelperClassOfTheTest() {
    ClassicConnection conn = connect();
    int base = 41;
    String result = conn.call(() -> TeleportHelper.describe(base));
    assertEquals("pid=" + server.process.pid() + " value=42", result);
    assertNotEquals(ProcessHandle.current().pid(), server.process.pid());

    RemoteRef times = conn.teleport((SerializableFunction<Integer, Integer>) x -> x * base);
    assertEquals(82, times.invoke(2));
    assertEquals(123, times.invoke(3));

    List<Integer> numbers = new ArrayList<>(List.of(1, 2, 3)); // stays here; passed by reference
    assertEquals(6, conn.call(() -> TeleportHelper.total(numbers)));
    numbers.add(4);
    assertEquals(10, conn.call(() -> TeleportHelper.total(numbers)));
  }

  @Test
  void theServer_reachesOnlyWhatTheClientPassed_notTheClientsJvm() {
    ClassicConnection conn = connect();
    List<Integer> numbers = new ArrayList<>(List.of(1, 2));
    String seen =
        conn.call(
            () -> {
              RemoteRef list = Rpyc.ref(numbers);
              StringBuilder out = new StringBuilder("size=" + list.length());
              for (String attempt : List.of("getClass", "hashCode")) {
                try {
                  list.call(attempt);
                  out.append(' ').append(attempt).append("=reached");
                } catch (RemoteInvocationException e) {
                  out.append(' ').append(attempt).append('=').append(e.remoteType());
                }
              }
              try {
                list.connection().root().call("getServiceName");
                list.connection().root().call("exit", 1);
                out.append(" root=reached");
              } catch (RemoteInvocationException e) {
                out.append(" root=").append(e.remoteType());
              }
              return out.toString();
            });
    assertEquals(
        "size=2 getClass=builtins.AttributeError hashCode=reached root=builtins.AttributeError",
        seen);
  }

  @Test
  void teleport_instancesAndClasses() {
    ClassicConnection conn = connect();
    RemoteRef greeting = conn.teleport(new TeleportHelper.Greeting("you", 2));
    assertEquals("hello you hello you", greeting.invoke());
    RemoteRef helper = conn.teleport(TeleportHelper.class);
    assertTrue(helper.isRemoteClass());
    assertEquals("pid=" + server.process.pid() + " value=2", helper.call("describe", 1));
  }

  @Test
  void teleport_codeThatThrows_comesBackWithItsStackTrace() {
    ClassicConnection conn = connect();
    String why = "on purpose";
    RemoteInvocationException e =
        assertThrows(
            RemoteInvocationException.class, () -> conn.call(() -> TeleportHelper.fail(why)));
    assertTrue(e.isInstanceOf(IllegalStateException.class), e::toString);
    assertTrue(e.getMessage().contains("teleported code failed: on purpose"), e::getMessage);
    assertTrue(e.remoteTraceback().contains("TeleportHelper.fail"), e.remoteTraceback());
    assertEquals(1, conn.<Integer>call(() -> 1));
  }

  @Test
  void teleport_lambdaOfANonSerializableInterface_isRefusedHere() {
    ClassicConnection conn = connect();
    Runnable plain = () -> {};
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> conn.teleport(plain));
    assertTrue(e.getMessage().contains("Serializable"), e::getMessage);
  }

  @Test
  void callCaptured_returnsTheResultAndTheOutputOfTeleportedCode() throws Exception {
    ClassicConnection conn = connect();
    String word = "teleported";
    Captured<Integer> c =
        conn.callCaptured(
            () -> {
              System.out.println(word);
              return word.length();
            });
    assertEquals(10, c.value());
    assertEquals("teleported" + System.lineSeparator(), c.stdout());

    Captured<Integer> later =
        conn.callCapturedAsync(
                () -> {
                  System.err.print(word);
                  return TeleportHelper.fail(word);
                })
            .get(30, TimeUnit.SECONDS);
    assertEquals("teleported", later.stderr());
    assertTrue(later.error().isInstanceOf(IllegalStateException.class), later::toString);
    assertTrue(later.error().remoteTraceback().contains("TeleportHelper.fail"));
  }

  // ------------------------------------------------------------------ files

  @Test
  void uploadThenDownload_200MegabyteFile_keepsItsSha256(@TempDir Path dir) throws Exception {
    ClassicConnection conn = connect();
    Path original = dir.resolve("original.bin");
    String sha = writeRandomFile(original, 200);
    Path remote = dir.resolve("server-side").resolve("copy.bin"); // same machine, other JVM
    conn.upload(original, remote.toString());
    assertEquals(sha, sha256(remote));
    Path back = dir.resolve("back.bin");
    conn.download(remote.toString(), back);
    assertEquals(sha, sha256(back));
    assertEquals(Files.size(original), Files.size(back));
  }

  @Test
  void uploadThenDownload_directoryTree(@TempDir Path dir) throws Exception {
    ClassicConnection conn = connect();
    Path tree = dir.resolve("tree");
    Files.createDirectories(tree.resolve("a/b"));
    Files.createDirectories(tree.resolve("empty"));
    Files.writeString(tree.resolve("top.txt"), "top");
    Files.writeString(tree.resolve("a/mid.txt"), "mid");
    Files.write(tree.resolve("a/b/deep.bin"), new byte[] {0, 1, 2, (byte) 255});
    Files.write(tree.resolve("a/b/zero.bin"), new byte[0]);
    Path remote = dir.resolve("remote-tree");
    conn.upload(tree, remote.toString());
    Path back = dir.resolve("back-tree");
    conn.download(remote.toString(), back);
    assertEquals(listing(tree), listing(back));
    assertEquals("mid", Files.readString(back.resolve("a/mid.txt")));
    assertEquals(4, Files.size(back.resolve("a/b/deep.bin")));
  }

  @Test
  void download_missingPath_isAnErrorNamingThePath(@TempDir Path dir) {
    ClassicConnection conn = connect();
    String missing = dir.resolve("no-such-file.txt").toString();
    RemoteInvocationException e =
        assertThrows(
            RemoteInvocationException.class, () -> conn.download(missing, dir.resolve("x")));
    assertTrue(e.isInstanceOf(java.nio.file.NoSuchFileException.class), e::toString);
    assertTrue(e.getMessage().contains(missing), e::getMessage);
    assertEquals(3, conn.modules().get("java.lang.Math").call("max", 2, 3));
  }

  // ------------------------------------------------------------------ helpers

  /** Two print streams over byte buffers. */
  private static final class Output {
    final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    final PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
    final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

    String outText() {
      return outBytes.toString(StandardCharsets.UTF_8);
    }

    String errText() {
      return errBytes.toString(StandardCharsets.UTF_8);
    }
  }

  private static String writeRandomFile(Path file, int mebibytes) throws IOException {
    MessageDigest digest = sha256();
    Random random = new Random(42);
    byte[] block = new byte[1 << 20];
    try (OutputStream out = Files.newOutputStream(file)) {
      for (int i = 0; i < mebibytes; i++) {
        random.nextBytes(block);
        digest.update(block);
        out.write(block);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static String sha256(Path file) throws IOException {
    MessageDigest digest = sha256();
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  private static List<String> listing(Path root) throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      return files
          .map(p -> root.relativize(p).toString() + (Files.isDirectory(p) ? "/" : ""))
          .sorted()
          .collect(Collectors.toList());
    }
  }
}
