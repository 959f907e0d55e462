package io.rpyc.server.classic;

import io.rpyc.Connection;
import io.rpyc.RemoteRef;
import io.rpyc.internal.protocol.ProtocolConnection;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-connection standard streams: installs, once, a {@code System.out} and a {@code System.err}
 * that send each print to where the printing thread's work belongs:
 *
 * <ol>
 *   <li>a per-call capture the thread opened ({@link #capture}), for results that carry their
 *       output;
 *   <li>else, if the thread is serving a request of a connection whose output is redirected ({@link
 *       ProtocolConnection#current()}), that connection's client, in order, as text;
 *   <li>else the original stream (the server's console).
 * </ol>
 *
 * <p>So only a redirected connection's own output travels to it: other connections and the server
 * itself print to the console as before. Threads that remote code starts are not followed; their
 * output goes to the console. Each target is a {@link PrintStream} of its own, so a slow client
 * holds up only the threads printing for it, never the console or other connections. Thread-safe.
 */
final class StdioRouter {
  private static volatile StdioRouter installed;

  private final PrintStream originalOut;
  private final PrintStream originalErr;
  private final ConcurrentHashMap<Connection, Redirection> redirections = new ConcurrentHashMap<>();
  private final ThreadLocal<Capture> captures = new ThreadLocal<>();
  private final ThreadLocal<Boolean> sending = new ThreadLocal<>();

  private StdioRouter(PrintStream originalOut, PrintStream originalErr) {
    this.originalOut = originalOut;
    this.originalErr = originalErr;
  }

  /** The router, installing it as {@code System.out} and {@code System.err} on first use. */
  static StdioRouter install() {
    StdioRouter r = installed;
    if (r == null) {
      synchronized (StdioRouter.class) {
        r = installed;
        if (r == null) {
          r = new StdioRouter(System.out, System.err);
          System.setOut(new RoutingPrintStream(r, false));
          System.setErr(new RoutingPrintStream(r, true));
          installed = r;
        }
      }
    }
    return r;
  }

  /** The server's own standard output, which the router sends unrouted prints to. */
  PrintStream originalOut() {
    return originalOut;
  }

  // ------------------------------------------------------------------ redirection

  /**
   * Sends what {@code connection}'s requests print to {@code out} and {@code err}, remote objects
   * with {@code write(String)} (and optionally {@code flush()}), replacing an earlier redirection.
   */
  void redirect(Connection connection, RemoteRef out, RemoteRef err) {
    Redirection previous = redirections.put(connection, new Redirection(this, out, err));
    if (previous != null) {
      previous.flush();
    }
  }

  /** Ends {@code connection}'s redirection if it still goes to {@code out} (any, if null). */
  void restore(Connection connection, RemoteRef out) {
    Redirection r = redirections.get(connection);
    if (r != null && (out == null || r.outSink == out) && redirections.remove(connection, r)) {
      r.flush();
    }
  }

  /** Sends what {@code connection}'s redirection holds back (a line not yet ended). */
  void flush(Connection connection) {
    Redirection r = redirections.get(connection);
    if (r != null) {
      r.flush();
    }
  }

  /** Forgets a closed connection. */
  void forget(Connection connection) {
    redirections.remove(connection);
  }

  void dropBroken(Redirection broken) {
    redirections.values().remove(broken);
  }

  // ------------------------------------------------------------------ capture

  /** What a call printed. */
  static final class Output {
    final String out;
    final String err;

    Output(String out, String err) {
      this.out = out;
      this.err = err;
    }
  }

  /** Something run under {@link #capture}; may throw anything. */
  interface Body<T> {
    T run() throws Throwable;
  }

  /** The result of {@link #capture}: the value or the failure, and the output. */
  static final class Captured<T> {
    final T value;
    final Throwable failure;
    final Output output;

    Captured(T value, Throwable failure, Output output) {
      this.value = value;
      this.failure = failure;
      this.output = output;
    }
  }

  /** Runs {@code body} on this thread, keeping what it prints (on this thread) for the result. */
  <T> Captured<T> capture(Body<T> body) {
    Capture previous = captures.get();
    Capture capture = new Capture();
    captures.set(capture);
    T value = null;
    Throwable failure = null;
    try {
      value = body.run();
    } catch (Throwable t) {
      failure = t;
    } finally {
      if (previous == null) {
        captures.remove();
      } else {
        captures.set(previous);
      }
    }
    return new Captured<>(value, failure, capture.output());
  }

  private static final class Capture {
    final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    final PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
    final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

    Output output() {
      out.flush();
      err.flush();
      return new Output(
          outBytes.toString(StandardCharsets.UTF_8), errBytes.toString(StandardCharsets.UTF_8));
    }
  }

  // ------------------------------------------------------------------ routing

  /** Where the current thread's print goes. */
  PrintStream target(boolean err) {
    if (sending.get() == null) {
      Capture capture = captures.get();
      if (capture != null) {
        return err ? capture.err : capture.out;
      }
      ProtocolConnection serving = ProtocolConnection.current();
      if (serving != null) {
        Redirection r = redirections.get(serving);
        if (r != null) {
          return err ? r.err : r.out;
        }
      }
    }
    return err ? originalErr : originalOut;
  }

  /** Marks the current thread as sending output to a client: its own prints stay local. */
  boolean enterSending() {
    if (sending.get() != null) {
      return false;
    }
    sending.set(Boolean.TRUE);
    return true;
  }

  void exitSending() {
    sending.remove();
  }

  /** A connection's redirection: one print stream per client sink. */
  static final class Redirection {
    final RemoteRef outSink;
    final PrintStream out;
    final PrintStream err;

    Redirection(StdioRouter router, RemoteRef outSink, RemoteRef errSink) {
      this.outSink = Objects.requireNonNull(outSink, "out");
      this.out =
          new PrintStream(
              new SinkOutputStream(router, this, outSink, router.originalOut),
              true,
              StandardCharsets.UTF_8);
      this.err =
          new PrintStream(
              new SinkOutputStream(
                  router, this, Objects.requireNonNull(errSink, "err"), router.originalErr),
              true,
              StandardCharsets.UTF_8);
    }

    void flush() {
      out.flush();
      err.flush();
    }
  }

  /**
   * {@code System.out} or {@code System.err} while the router is installed: every method forwards
   * to the {@linkplain #target target} of the calling thread, and takes no lock of its own.
   */
  static final class RoutingPrintStream extends PrintStream {
    private final StdioRouter router;
    private final boolean err;

    RoutingPrintStream(StdioRouter router, boolean err) {
      super(err ? router.originalErr : router.originalOut, true);
      this.router = router;
      this.err = err;
    }

    private PrintStream target() {
      return router.target(err);
    }

    @Override
    public void flush() {
      target().flush();
    }

    @Override
    public void close() {
      target().flush(); // closing System.out must not close the console for everyone
    }

    @Override
    public boolean checkError() {
      return target().checkError();
    }

    @Override
    public void write(int b) {
      target().write(b);
    }

    @Override
    public void write(byte[] buf, int off, int len) {
      target().write(buf, off, len);
    }

    @Override
    public void write(byte[] buf) {
      target().write(buf, 0, buf.length);
    }

    @Override
    public void writeBytes(byte[] buf) {
      target().write(buf, 0, buf.length);
    }

    @Override
    public void print(boolean b) {
      target().print(b);
    }

    @Override
    public void print(char c) {
      target().print(c);
    }

    @Override
    public void print(int i) {
      target().print(i);
    }

    @Override
    public void print(long l) {
      target().print(l);
    }

    @Override
    public void print(float f) {
      target().print(f);
    }

    @Override
    public void print(double d) {
      target().print(d);
    }

    @Override
    public void print(char[] s) {
      target().print(s);
    }

    @Override
    public void print(String s) {
      target().print(s);
    }

    @Override
    public void print(Object obj) {
      target().print(obj);
    }

    @Override
    public void println() {
      target().println();
    }

    @Override
    public void println(boolean x) {
      target().println(x);
    }

    @Override
    public void println(char x) {
      target().println(x);
    }

    @Override
    public void println(int x) {
      target().println(x);
    }

    @Override
    public void println(long x) {
      target().println(x);
    }

    @Override
    public void println(float x) {
      target().println(x);
    }

    @Override
    public void println(double x) {
      target().println(x);
    }

    @Override
    public void println(char[] x) {
      target().println(x);
    }

    @Override
    public void println(String x) {
      target().println(x);
    }

    @Override
    public void println(Object x) {
      target().println(x);
    }

    @Override
    public PrintStream printf(String format, Object... args) {
      target().printf(format, args);
      return this;
    }

    @Override
    public PrintStream printf(Locale l, String format, Object... args) {
      target().printf(l, format, args);
      return this;
    }

    @Override
    public PrintStream format(String format, Object... args) {
      target().format(format, args);
      return this;
    }

    @Override
    public PrintStream format(Locale l, String format, Object... args) {
      target().format(l, format, args);
      return this;
    }

    @Override
    public PrintStream append(CharSequence csq) {
      target().append(csq);
      return this;
    }

    @Override
    public PrintStream append(CharSequence csq, int start, int end) {
      target().append(csq, start, end);
      return this;
    }

    @Override
    public PrintStream append(char c) {
      target().append(c);
      return this;
    }
  }
}
