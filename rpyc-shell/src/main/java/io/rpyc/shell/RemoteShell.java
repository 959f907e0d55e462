package io.rpyc.shell;

import io.rpyc.AsyncResult;
import io.rpyc.ClassicConnection;
import io.rpyc.ConnectionClosedException;
import io.rpyc.RemoteInvocationException;
import io.rpyc.RpycException;
import io.rpyc.RpycTimeoutException;
import io.rpyc.Tuple;
import io.rpyc.internal.classic.ClassicProtocol;
import io.rpyc.internal.transport.Transport;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;

/**
 * An interactive Java shell whose snippets run in a remote JVM: each input goes to a classic
 * server's jshell ({@code bin/classic-server}) and its result comes back with its type, while what
 * the snippet prints there is shown here as it is printed. Built on JLine 3: line editing, history,
 * multi-line input (an unfinished snippet continues on the next line, as the server's jshell judges
 * it), tab completion from the server's jshell, and Ctrl-C to stop a running snippet without losing
 * the connection. Commands: {@code /help}, {@code /vars}, {@code /imports}, {@code /connect
 * host[:port]}, {@code /exit}.
 *
 * <pre>{@code
 * try (Terminal terminal = TerminalBuilder.terminal()) {
 *   RemoteShell.builder(terminal).connectTo("localhost:18812").build().run();
 * }
 * }</pre>
 *
 * <p>A lost connection is reported and the shell stays up; {@code /connect} connects again. The
 * shell closes the connections it opened itself, never one it was {@linkplain
 * Builder#connection(ClassicConnection, String) given}. Not thread-safe: {@link #run()} once, from
 * one thread. See {@code docs/shell.md}.
 */
public final class RemoteShell {
  static final String PROMPT = "rpyc> ";
  static final String CONTINUATION_PROMPT = "  ...> ";
  private static final String STOPPED = "io.rpyc.server.classic.SnippetStoppedException";
  private static final String COMPILE_ERROR = "io.rpyc.server.classic.SnippetCompileException";
  private static final int ABANDON_AFTER_INTERRUPTS = 3;
  private static final String HELP =
      String.join(
          "\n",
          "Type Java: statements, expressions, declarations; they run in the remote JVM's jshell.",
          "An unfinished snippet continues on the next line. Tab completes names.",
          "Ctrl-C stops a running snippet (three times: stop waiting for it); Ctrl-D leaves.",
          "",
          "/help                  this text",
          "/vars                  the variables of the remote session, with types and values",
          "/imports               the imports in force",
          "/connect [host[:port]] connect (again) to a classic server",
          "/exit                  leave the shell");

  /** Opens a connection to a classic server, for the start and for {@code /connect}. */
  @FunctionalInterface
  public interface Connector {
    /**
     * Connects to the classic server at {@code host:port}.
     *
     * @throws RpycException if it cannot
     */
    ClassicConnection connect(String host, int port);
  }

  private final Terminal terminal;
  private final PrintWriter out;
  private final Connector connector;
  private final int defaultPort;
  private final Path historyFile;
  private final TerminalStream outStream = new TerminalStream();
  private final TerminalStream errStream = new TerminalStream();
  private final PrintStream remoteOut;
  private final PrintStream remoteErr;
  private String target;
  private LineReader reader;
  private ClassicConnection connection;
  private boolean ownsConnection;
  private ClassicConnection.StdioRedirection redirection;
  private volatile boolean evaluating;
  private final ExecutorService worker =
      Executors.newCachedThreadPool(Transport.daemonThreads("rpyc-shell-worker"));

  private RemoteShell(Builder b) {
    this.terminal = b.terminal;
    this.out = terminal.writer();
    this.connector = b.connector;
    this.defaultPort = b.defaultPort;
    this.historyFile = b.historyFile;
    this.target = b.target;
    this.connection = b.connection;
    this.remoteOut = new PrintStream(outStream, true, StandardCharsets.UTF_8);
    this.remoteErr = new PrintStream(errStream, true, StandardCharsets.UTF_8);
  }

  /** A shell on {@code terminal}. */
  public static Builder builder(Terminal terminal) {
    return new Builder(terminal);
  }

  /**
   * Runs the read-eval-print loop until {@code /exit} or the end of input, then closes the
   * connection it opened (if any). A connection that cannot be opened or is lost is reported; the
   * loop goes on.
   */
  public void run() {
    LineReaderBuilder builder =
        LineReaderBuilder.builder()
            .terminal(terminal)
            .appName("rpyc-shell")
            .parser(new SnippetParser(this::completeness))
            .completer(new RemoteCompleter(this::complete))
            .variable(LineReader.SECONDARY_PROMPT_PATTERN, CONTINUATION_PROMPT)
            .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true) // '!' is Java, not history
            .option(LineReader.Option.AUTO_FRESH_LINE, true);
    if (historyFile != null) {
      builder.variable(LineReader.HISTORY_FILE, historyFile);
    }
    reader = builder.build();
    try {
      if (connection != null) {
        attach(connection, false);
      } else if (target != null) {
        connect(target);
      }
      say("Type /help for help.");
      loop();
    } finally {
      outStream.release();
      errStream.release();
      detach();
      worker.shutdownNow();
      try {
        reader.getHistory().save();
      } catch (java.io.IOException | RuntimeException e) {
        say("Could not save the history: " + e.getMessage());
      }
      out.flush();
    }
  }

  private void loop() {
    while (true) {
      String line;
      try {
        line = reader.readLine(PROMPT);
      } catch (UserInterruptException e) {
        // JLine interrupted this thread to end readLine; the calls that follow must not see it
        Thread.interrupted();
        continue; // Ctrl-C at the prompt drops the line, as in jshell
      } catch (EndOfFileException e) {
        return;
      }
      String input = line.strip();
      if (input.isEmpty()) {
        continue;
      }
      if (SnippetParser.isCommand(input)) {
        if (!command(input)) {
          return;
        }
      } else {
        evaluate(line);
      }
    }
  }

  // ------------------------------------------------------------------ commands

  /** Runs a {@code /command}; returns false to leave. */
  private boolean command(String input) {
    String[] words = input.split("\\s+", 2);
    String argument = words.length > 1 ? words[1].strip() : "";
    switch (words[0]) {
      case "/exit":
      case "/quit":
        return false;
      case "/help":
      case "/?":
        for (String line : HELP.split("\n")) {
          say(line);
        }
        return true;
      case "/vars":
        for (Object v : list(ClassicProtocol.VARIABLES)) {
          Tuple t = (Tuple) v;
          say("  " + t.get(0) + " " + t.get(1) + " = " + t.get(2));
        }
        return true;
      case "/imports":
        for (Object i : list(ClassicProtocol.IMPORTS)) {
          say("  " + i);
        }
        return true;
      case "/connect":
        if (argument.isEmpty() && target == null) {
          say("Usage: /connect host[:port]");
          return true;
        }
        detach();
        connect(argument.isEmpty() ? target : argument);
        return true;
      default:
        say("Unknown command " + words[0] + ". Type /help for the commands.");
        return true;
    }
  }

  private Tuple list(String method) {
    ClassicConnection c = connected();
    if (c == null) {
      return Tuple.of();
    }
    Tuple found = interruptibly(() -> (Tuple) c.root().call(method), ignored -> {});
    return found == null ? Tuple.of() : found;
  }

  /**
   * Runs blocking work on a helper thread while this one waits, so that Ctrl-C abandons the wait
   * (connecting, for one, does not answer interrupts). Returns {@code null} if abandoned or failed
   * (the failure is reported); an abandoned result is given to {@code discard} when it comes.
   */
  private <T> T interruptibly(Callable<T> work, Consumer<T> discard) {
    CompletableFuture<T> result = new CompletableFuture<>();
    worker.execute(
        () -> {
          try {
            result.complete(work.call());
          } catch (Throwable t) {
            result.completeExceptionally(t);
          }
        });
    Thread waiting = Thread.currentThread();
    Terminal.SignalHandler previous =
        terminal.handle(Terminal.Signal.INT, signal -> waiting.interrupt());
    try {
      return result.get();
    } catch (InterruptedException e) {
      result.thenAccept(discard);
      say("Interrupted.");
      return null;
    } catch (ExecutionException e) {
      failed(e.getCause());
      return null;
    } finally {
      terminal.handle(Terminal.Signal.INT, previous);
      Thread.interrupted(); // a Ctrl-C that came as the work ended
    }
  }

  // ------------------------------------------------------------------ evaluation

  private void evaluate(String code) {
    ClassicConnection c = connected();
    if (c == null) {
      return;
    }
    Thread.interrupted(); // a Ctrl-C that ended the line's completeness check
    AtomicInteger interrupts = new AtomicInteger();
    CompletableFuture<Object> abandoned = new CompletableFuture<>();
    Terminal.SignalHandler previous =
        terminal.handle(
            Terminal.Signal.INT,
            signal -> {
              out.println(); // after the terminal's "^C"
              out.flush();
              if (interrupts.incrementAndGet() >= ABANDON_AFTER_INTERRUPTS) {
                abandoned.complete(null);
              } else {
                worker.execute(() -> sendStop(c)); // the snippet fails; we wait for that
              }
            });
    outStream.release();
    errStream.release();
    evaluating = true;
    try {
      AsyncResult<Object> pending = c.root().callAsync(ClassicProtocol.SHELL_EVAL, code);
      Object result = CompletableFuture.anyOf(pending, abandoned).join();
      if (!pending.isDone()) {
        say("Stopped waiting; the snippet may still be running on the server.");
        return;
      }
      show((Tuple) result);
    } catch (RpycException e) {
      failed(e);
    } catch (CompletionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RemoteInvocationException && interrupts.get() > 0) {
        RemoteInvocationException r = (RemoteInvocationException) cause;
        say("Stopped.");
        if (!r.isInstanceOf(STOPPED)) {
          say("(the snippet ended with " + r.remoteType() + ": " + r.remoteMessage() + ")");
        }
      } else {
        failed(cause);
      }
    } finally {
      evaluating = false;
      terminal.handle(Terminal.Signal.INT, previous);
      out.flush();
    }
  }

  private static void sendStop(ClassicConnection c) {
    try {
      c.root().call(ClassicProtocol.STOP);
    } catch (RpycException e) {
      // the connection is gone: the evaluation reports that
    }
  }

  private void show(Tuple results) {
    for (Object item : results) {
      Tuple r = (Tuple) item;
      String kind = (String) r.get(0);
      Object name = r.get(1);
      Object type = r.get(2);
      Object value = r.get(3);
      Object action = r.get(4);
      switch (kind) {
        case "variable":
        case "expression":
          if (!"void".equals(type)) {
            out.println(name + " ==> " + value + " : " + type);
          }
          break;
        case "method":
          say(action + " method " + name);
          break;
        case "class":
          say(action + " " + type + " " + name);
          break;
        default:
          break; // imports and statements: jshell says nothing either
      }
    }
  }

  private void failed(Throwable cause) {
    if (cause instanceof RpycException) {
      failed((RpycException) cause);
    } else {
      say("Failed: " + cause);
    }
  }

  private void failed(RpycException e) {
    if (e instanceof RemoteInvocationException) {
      RemoteInvocationException r = (RemoteInvocationException) e;
      if (r.isInstanceOf(COMPILE_ERROR)) {
        say("Error:");
        for (String line : r.remoteMessage().split("\n")) {
          if (!line.startsWith("the snippet does not compile")) {
            say(line);
          }
        }
        return;
      }
      say("Exception " + r.remoteType() + ": " + r.remoteMessage());
      String trace = r.remoteTraceback();
      if (trace != null) {
        trace
            .lines()
            .map(String::strip)
            .filter(l -> l.startsWith("at ") || l.startsWith("Caused by") || l.startsWith("..."))
            .forEach(l -> say("    " + l));
      }
      return;
    }
    if ((e instanceof ConnectionClosedException || e instanceof RpycTimeoutException)
        && (connection == null || closesSoon(connection, e))) {
      say("The connection to " + target + " was lost: " + e.getMessage());
      say("Use /connect to connect again.");
      detach();
      return;
    }
    say(
        e.getClass() == RpycException.class
            ? e.getMessage()
            : e.getClass().getSimpleName() + ": " + e.getMessage());
  }

  /**
   * Whether {@code c} is closed. After a {@link ConnectionClosedException} it may still be closing
   * on another thread ({@code isClosed()} says so once that has finished): wait a little then.
   */
  private static boolean closesSoon(ClassicConnection c, RuntimeException e) {
    long deadline = System.nanoTime() + (e instanceof ConnectionClosedException ? 500_000_000 : 0);
    while (!c.isClosed()) {
      if (System.nanoTime() - deadline >= 0) {
        return false;
      }
      LockSupport.parkNanos(1_000_000);
    }
    return true;
  }

  // ------------------------------------------------------------------ the server's jshell

  /** The server's completeness verdict for the parser, or {@code null} if it cannot be had. */
  private String completeness(String code) {
    ClassicConnection c = connection;
    if (c == null || c.isClosed()) {
      return null;
    }
    try {
      return (String) c.root().call(ClassicProtocol.COMPLETENESS, code);
    } catch (RpycException e) {
      droppedIfInterrupted(code);
      return null; // the evaluation that follows reports what is wrong
    }
  }

  /** The server's completion for the completer, or {@code null}. */
  private Tuple complete(String code, int cursor) {
    ClassicConnection c = connection;
    if (c == null || c.isClosed()) {
      return null;
    }
    try {
      return (Tuple) c.root().call(ClassicProtocol.COMPLETE, code, cursor);
    } catch (RpycException e) {
      droppedIfInterrupted(code);
      return null;
    }
  }

  /** Ctrl-C while the server was asked (JLine interrupts this thread): drops the line. */
  private static void droppedIfInterrupted(String code) {
    if (Thread.interrupted()) {
      throw new UserInterruptException(code);
    }
  }

  // ------------------------------------------------------------------ connections

  private ClassicConnection connected() {
    if (connection == null || connection.isClosed()) {
      if (connection != null) {
        say("The connection to " + target + " is closed.");
        detach();
      }
      say("Not connected. Use /connect host[:port].");
      return null;
    }
    return connection;
  }

  private void connect(String address) {
    String host = address;
    int port = defaultPort;
    int colon = address.lastIndexOf(':');
    if (colon > 0 && address.indexOf(']') < colon) {
      host = address.substring(0, colon);
      try {
        port = Integer.parseInt(address.substring(colon + 1));
      } catch (NumberFormatException e) {
        say("Not a port: " + address.substring(colon + 1));
        return;
      }
    }
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    target = host + ":" + port;
    String h = host;
    int p = port;
    ClassicConnection c =
        interruptibly(
            () -> {
              try {
                return connector.connect(h, p);
              } catch (RpycException e) {
                throw new RpycException("Could not connect to " + target + ": " + e.getMessage());
              }
            },
            ClassicConnection::close);
    if (c != null) {
      attach(c, true);
    }
  }

  private void attach(ClassicConnection c, boolean owned) {
    connection = c;
    ownsConnection = owned;
    if (target == null) {
      target = String.valueOf(c.remoteAddress());
    }
    Object version =
        interruptibly(
            () -> {
              redirection = c.redirectedStdio(remoteOut, remoteErr);
              return c.modules().get("java.lang.System").call("getProperty", "java.version");
            },
            ignored -> {});
    if (version != null) {
      say("Connected to " + target + ": Java " + version + ".");
    }
  }

  private void detach() {
    ClassicConnection c = connection;
    if (c == null) {
      return;
    }
    connection = null;
    if (redirection != null && !c.isClosed()) {
      try {
        redirection.close();
      } catch (RpycException e) {
        // the connection is going away anyway
      }
    }
    redirection = null;
    if (ownsConnection) {
      c.close();
    }
  }

  private void say(String message) {
    out.println("|  " + message);
    out.flush();
  }

  /**
   * What the server prints for this connection: written straight to the terminal while a snippet
   * runs; at the prompt (output of threads the snippet left running) printed above the input line.
   */
  private final class TerminalStream extends OutputStream {
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private final StringBuilder partialLine = new StringBuilder();

    @Override
    public synchronized void write(int b) {
      pending.write(b);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      pending.write(b, off, len);
    }

    /** Prints what is held of a line printed at the prompt, before other output. */
    synchronized void release() {
      if (partialLine.length() > 0) {
        out.println(partialLine);
        out.flush();
        partialLine.setLength(0);
      }
    }

    /** The server sends whole strings, each followed by a flush: the bytes decode completely. */
    @Override
    public synchronized void flush() {
      if (pending.size() == 0) {
        return;
      }
      String text = pending.toString(StandardCharsets.UTF_8);
      pending.reset();
      if (evaluating || reader == null) {
        out.print(text);
        out.flush();
        return;
      }
      partialLine.append(text);
      int end = partialLine.lastIndexOf("\n");
      if (end >= 0) {
        reader.printAbove(partialLine.substring(0, end));
        partialLine.delete(0, end + 1);
      }
    }
  }

  /** Configures a {@link RemoteShell}. */
  public static final class Builder {
    private final Terminal terminal;
    private Connector connector;
    private int defaultPort = io.rpyc.Rpyc.CLASSIC_PORT;
    private String target;
    private ClassicConnection connection;
    private Path historyFile;

    private Builder(Terminal terminal) {
      this.terminal = Objects.requireNonNull(terminal, "terminal");
      this.connector = io.rpyc.Rpyc.classic()::connect;
    }

    /**
     * How {@code /connect} (and {@link #connectTo}) open connections, and the port used when an
     * address names none; default {@code Rpyc.classic().connect}, port 18812.
     */
    public Builder connector(Connector connector, int defaultPort) {
      this.connector = Objects.requireNonNull(connector, "connector");
      this.defaultPort = defaultPort;
      return this;
    }

    /**
     * Connects to {@code address} ({@code host}, {@code host:port} or {@code [ipv6]:port}) when the
     * shell starts, and closes that connection at exit.
     */
    public Builder connectTo(String address) {
      this.target = Objects.requireNonNull(address, "address");
      this.connection = null;
      return this;
    }

    /**
     * Starts on an open connection, which the shell uses but never closes; {@code name} is how
     * messages call it ({@code host:port}).
     */
    public Builder connection(ClassicConnection connection, String name) {
      this.connection = Objects.requireNonNull(connection, "connection");
      this.target = name;
      return this;
    }

    /** Keeps the history in this file, loaded at start; default none (in memory). */
    public Builder historyFile(Path historyFile) {
      this.historyFile = historyFile;
      return this;
    }

    /** The shell. */
    public RemoteShell build() {
      return new RemoteShell(this);
    }
  }
}
