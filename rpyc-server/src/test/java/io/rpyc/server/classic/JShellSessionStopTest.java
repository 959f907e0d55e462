package io.rpyc.server.classic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rpyc.Tuple;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Stopping snippets: the instrumented classes still compute what they should, every kind of loop
 * notices a stop, a blocked snippet is interrupted, and a stop never leaks into the next snippet.
 */
@Timeout(60)
class JShellSessionStopTest {
  private final JShellSession session =
      new JShellSession("stop-test", getClass().getClassLoader(), Duration.ofSeconds(30));

  @AfterEach
  void close() {
    session.close();
  }

  @Test
  void instrumentedLoops_computeWhatTheyShould() throws Throwable {
    session.eval(
        "long f(int n) { long s = 0; for (int i = 0; i < n; i++) { int j = 0;"
            + " while (j < i) { s += j++; } do { s++; } while (false); } return s; }");
    long expected = 0;
    for (int i = 0; i < 300; i++) {
      for (int j = 0; j < i; j++) {
        expected += j;
      }
      expected++;
    }
    assertEquals(expected, session.eval("f(300)"));
    assertEquals(4950, session.eval("java.util.stream.IntStream.range(0, 100).sum()"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "while (true) {}",
        "for (;;) { Math.sqrt(2); }",
        "do { } while (System.nanoTime() > 0);",
        "Runnable r = () -> { while (true) {} }; r.run();",
        "void spin() { for (long i = 0; ; i++) {} } spin();",
        "Thread.sleep(60_000);",
        "new Object() { synchronized void w() throws Exception { wait(); } }.w();"
      })
  void stop_endsARunningSnippet_andTheSessionGoesOn(String snippet) throws Throwable {
    assertFalse(session.stop(), "nothing runs yet");
    session.eval("int kept = 7;");
    CompletableFuture<Object> running = startEval(snippet);
    awaitRunning();
    assertTrue(session.stop());
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> running.get(20, TimeUnit.SECONDS));
    assertTrue(
        e.getCause() instanceof SnippetStoppedException
            || e.getCause() instanceof InterruptedException,
        () -> "stopped with " + e.getCause());
    assertEquals(8, session.eval("kept + 1"));
    assertFalse(evalThreadInterrupted, "the interrupt ends with the snippet");
  }

  @Test
  void aStopWhileCompiling_stopsTheSnippetAsItStarts_evenABlockingOne() throws Throwable {
    session.eval("int warm = 1;"); // jshell is up; what follows is compiling and running
    CompletableFuture<Object> running = startEval("Thread.sleep(60_000); int never = 1;");
    while (!session.stop()) {
      Thread.onSpinWait(); // the first stop that finds the evaluation, likely while compiling
    }
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> running.get(20, TimeUnit.SECONDS));
    assertTrue(
        e.getCause() instanceof InterruptedException
            || e.getCause() instanceof SnippetStoppedException,
        () -> "stopped with " + e.getCause());
    assertEquals(2, session.eval("warm + 1"));
  }

  @Test
  void stopsRacingWithShortSnippets_neverHitALaterOne() throws Throwable {
    java.util.concurrent.atomic.AtomicBoolean spamming =
        new java.util.concurrent.atomic.AtomicBoolean(true);
    Thread spammer =
        new Thread(
            () -> {
              while (spamming.get()) {
                session.stop();
              }
            });
    spammer.start();
    try {
      for (int i = 0; i < 100; i++) {
        try {
          session.eval("int v" + i + " = " + i + ";");
        } catch (SnippetStoppedException | InterruptedException | IllegalStateException e) {
          // stopped, as asked: fine
        }
      }
    } finally {
      spamming.set(false);
      spammer.join();
    }
    // no stop is in flight now: a loop that needs many iterations must run to its end
    assertEquals(100_000, session.eval("int n = 0; for (int i = 0; i < 100_000; i++) { n++; } n"));
    assertFalse(session.isRunning());
  }

  @Test
  void aStop_endsTheWholeInput_notJustTheSnippetRunningWhenItCame() throws Throwable {
    // the first snippet swallows the interrupt and ends normally; the loop after it must not run
    CompletableFuture<Object> running =
        startEval(
            "try { Thread.sleep(60_000); } catch (InterruptedException e) { }"
                + " int after = 1; while (true) {}");
    awaitRunning();
    assertTrue(session.stop());
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> running.get(20, TimeUnit.SECONDS));
    assertTrue(e.getCause() instanceof SnippetStoppedException, () -> "stopped with " + e);
    assertFalse((Boolean) session.eval("java.util.Set.of(\"after\").isEmpty()")); // still usable
    assertThrows(SnippetCompileException.class, () -> session.eval("after")); // never declared
  }

  @Test
  void aStoppedSnippetThatCatchesExceptions_isStillStopped() throws Throwable {
    CompletableFuture<Object> running =
        startEval("while (true) { try { Thread.sleep(5); } catch (Exception e) { } }");
    awaitRunning();
    assertTrue(session.stop());
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> running.get(20, TimeUnit.SECONDS));
    assertTrue(e.getCause() instanceof SnippetStoppedException, () -> "stopped with " + e);
  }

  @Test
  void describes_eachSnippet_forAShell() throws Throwable {
    List<Tuple> d =
        session.evalDescribed(
            "int x = 2; x * 21;\n String s = \"q\"; void m() {} record R(int a) {} import java.time.*;");
    assertEquals(Tuple.of("variable", "x", "int", "2", "created"), d.get(0));
    assertEquals("int", d.get(1).get(2));
    assertEquals("42", d.get(1).get(3));
    assertEquals(Tuple.of("variable", "s", "String", "\"q\"", "created"), d.get(2));
    assertEquals(Tuple.of("method", "m()", "()void", null, "created"), d.get(3));
    assertEquals(Tuple.of("class", "R", "record", null, "created"), d.get(4));
    assertEquals("import", d.get(5).get(0));
    assertEquals("replaced", session.evalDescribed("int x = 3;").get(0).get(4));
    assertEquals("COMPLETE", session.completeness("x + 1;"));
    assertEquals("DEFINITELY_INCOMPLETE", session.completeness("for (int i = 0; i < 3; i++) {"));
    Tuple completion = session.complete("Sys", 3);
    assertEquals(0, completion.get(0));
    assertTrue(
        ((Tuple) completion.get(1)).stream().anyMatch("System"::equals), completion::toString);
    assertTrue(session.imports().contains("import java.time.*;"));
  }

  private volatile boolean evalThreadInterrupted;

  private CompletableFuture<Object> startEval(String snippet) {
    CompletableFuture<Object> result = new CompletableFuture<>();
    Thread t =
        new Thread(
            () -> {
              try {
                result.complete(session.eval(snippet));
              } catch (Throwable e) {
                evalThreadInterrupted = Thread.currentThread().isInterrupted();
                result.completeExceptionally(e);
              }
            });
    t.setDaemon(true);
    t.start();
    return result;
  }

  /** Waits until the session has a snippet running (stop() then finds it). */
  private void awaitRunning() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!session.isRunning()) {
      assertTrue(System.nanoTime() < deadline, "the snippet starts");
      Thread.sleep(5);
    }
    Thread.sleep(100); // past compiling, into the loop (a stop before it lands there anyway)
  }
}
