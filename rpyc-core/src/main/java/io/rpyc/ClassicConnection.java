package io.rpyc;

import java.io.PrintStream;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * A connection to a classic server ({@code bin/classic-server}): the whole remote JVM, RPyC's
 * classic mode. Any class of the server can be used ({@link #modules()}), Java source can be run
 * there ({@link #eval}, {@link #execute}), local code can be sent over and run there ({@link
 * #teleport}, {@link #call}), the server's output can be shown here ({@link #redirectedStdio()}),
 * and files copied either way ({@link #upload}, {@link #download}).
 *
 * <pre>{@code
 * try (ClassicConnection conn = Rpyc.classic().connect("localhost")) {
 *   RemoteRef system = conn.modules().get("java.lang.System");
 *   String version = (String) system.call("getProperty", "java.version");
 *
 *   conn.execute("int x = 41;");
 *   int answer = (int) conn.eval("x + 1");                  // 42, computed by jshell in the server
 *
 *   int base = 1000;
 *   long pid = conn.call(() -> ProcessHandle.current().pid() + base);   // runs in the server
 *
 *   try (var redirect = conn.redirectedStdio()) {
 *     conn.execute("System.out.println(\"printed remotely, shown here\");");
 *   }
 * }
 * }</pre>
 *
 * <p><b>Security.</b> A classic server runs any code its clients send: it is remote code execution
 * by design, which is why {@code classic-server} listens on loopback unless told otherwise. The
 * client side is an ordinary connection: the server can use only the objects this side passes to it
 * (and, while it runs teleported code, read the class files of this side's classes).
 *
 * <p>Thread-safe, like every {@link Connection}. The server keeps one jshell state per connection;
 * snippets of one connection run one at a time. See {@code docs/classic.md}.
 */
public interface ClassicConnection extends Connection {

  /** The server's classes and packages by name, RPyC's {@code conn.modules}. */
  Modules modules();

  /**
   * Evaluates Java source with jshell in the server's JVM and returns the value of its last snippet
   * (an expression's value, a variable's initial value, or {@code null} for statements and
   * declarations). The source may hold several snippets; variables, methods, classes and imports
   * stay defined for later calls on this connection. Values travel by value, other objects come
   * back as references (typed proxies where an interface fits).
   *
   * @throws RemoteInvocationException if the source does not compile (remote type {@code
   *     io.rpyc.server.classic.SnippetCompileException}, the message lists the diagnostics) or the
   *     code throws (the remote exception's type, message and stack trace)
   */
  Object eval(String javaCode);

  /**
   * Runs Java source with jshell in the server's JVM, like {@link #eval} without a result; RPyC's
   * {@code execute}.
   */
  void execute(String javaCode);

  /**
   * The variables this connection's jshell state holds, by name, as a live view of the remote map:
   * reading gives the current values, {@code put} declares a variable the next snippets can use
   * ({@code namespace().put("list", someObject)} then {@code eval("list.size()")}), {@code remove}
   * drops one. RPyC's {@code conn.namespace}.
   */
  Map<String, Object> namespace();

  /**
   * Shows what code running for this connection prints on the server's {@code System.out} and
   * {@code System.err} on this JVM's {@code System.out} and {@code System.err}, until closed. Only
   * this connection's output is redirected: other connections and the server's console are
   * unaffected. RPyC's {@code redirected_stdio}.
   *
   * <pre>{@code
   * try (var redirect = conn.redirectedStdio()) {
   *   conn.execute("System.out.println(\"hello\");");   // appears here
   * }
   * }</pre>
   */
  StdioRedirection redirectedStdio();

  /** Like {@link #redirectedStdio()}, to the given streams. */
  StdioRedirection redirectedStdio(PrintStream out, PrintStream err);

  /**
   * Evaluates Java source like {@link #eval} and returns its value together with what it printed on
   * the server's {@code System.out} and {@code System.err} while it ran (which then is not
   * redirected or shown on the server's console). Never throws for an error of the code itself: see
   * {@link Captured#error()}.
   */
  Captured<Object> evalCaptured(String javaCode);

  /**
   * {@link #evalCaptured} without waiting: the result arrives in the returned {@link AsyncResult}.
   */
  AsyncResult<Captured<Object>> evalCapturedAsync(String javaCode);

  /**
   * Sends local code to the server and returns a reference to it there, to be called any number of
   * times:
   *
   * <ul>
   *   <li>a lambda or method reference whose functional interface is {@link Serializable} ({@link
   *       SerializableCallable}, {@link SerializableRunnable}, {@link SerializableFunction}, or an
   *       intersection cast such as {@code (Supplier<String> & Serializable) () -> "x"}): the
   *       server defines the class that declares it and rebuilds the lambda, with its captured
   *       values; call it with {@link RemoteRef#invoke};
   *   <li>an instance of one of your classes ({@code new MyTask(5)}, say a {@code Callable}): the
   *       server defines the class and builds an instance with the same field values (a record
   *       through its canonical constructor, any other class without running a constructor);
   *   <li>a {@link Class}: the server defines it; the result is the remote class ({@link
   *       RemoteRef#isRemoteClass()}), whose static methods and constructors are then reachable.
   * </ul>
   *
   * <p>Classes are defined in a class loader of this connection on the server, which asks this side
   * for the class files of any of its classes the code needs, when first needed (the server's own
   * classes and the JDK come first). Captured values and fields travel like any argument: values by
   * value, everything else as a reference to the object here, which the server sees as a typed
   * proxy of the declared type. Nothing is serialized.
   *
   * @throws IllegalArgumentException if {@code code} cannot be teleported (a lambda whose interface
   *     is not serializable, an instance of a JDK class, a remote object)
   */
  RemoteRef teleport(Object code);

  /**
   * Teleports {@code task} and calls it on the server: RPyC's {@code teleport_function} followed by
   * the call.
   *
   * <pre>{@code
   * int base = 41;
   * int answer = conn.call(() -> base + Helpers.one());   // Helpers: a class of yours
   * }</pre>
   *
   * @throws RemoteInvocationException with the remote stack trace if the task throws
   */
  <T> T call(SerializableCallable<T> task);

  /** Teleports {@code task} and runs it on the server. */
  void run(SerializableRunnable task);

  /**
   * Teleports {@code task}, calls it on the server and returns its result with what it printed
   * there, like {@link #evalCaptured}.
   */
  <T> Captured<T> callCaptured(SerializableCallable<T> task);

  /**
   * {@link #callCaptured} without waiting: the result arrives in the returned {@link AsyncResult}.
   */
  <T> AsyncResult<Captured<T>> callCapturedAsync(SerializableCallable<T> task);

  /**
   * Copies a local file or directory tree to {@code remotePath} on the server (created or
   * overwritten), streamed in 1 MiB chunks; RPyC's {@code upload}.
   *
   * @throws RpycException if the local path is neither a file nor a directory, or reading it fails
   * @throws RemoteInvocationException if the server cannot write
   */
  void upload(Path localPath, String remotePath);

  /**
   * Copies a file or directory tree of the server to {@code localPath} (created or overwritten),
   * streamed in 1 MiB chunks; RPyC's {@code download}.
   *
   * @throws RemoteInvocationException {@code java.nio.file.NoSuchFileException} naming the path if
   *     it does not exist on the server
   */
  void download(String remotePath, Path localPath);

  /**
   * Opens an interactive Java shell on this process's terminal whose snippets run on the server, as
   * {@code bin/rpyc-shell} does: RPyC's {@code rpyc.classic.interact(conn)}, with jshell's
   * completion, multi-line input, live remote output and Ctrl-C to stop a running snippet. Returns
   * when the user types {@code /exit} or ends the input; the connection stays open. Needs the
   * {@code io.rpyc:rpyc-shell} module on the class path. See {@code docs/shell.md}.
   *
   * @throws IllegalStateException if {@code rpyc-shell} is not on the class path
   */
  void interact();

  /**
   * The server's classes and packages by name ({@code conn.modules} in RPyC). Handles are cached
   * per name. Thread-safe.
   */
  interface Modules {
    /**
     * A class or a package of the server.
     *
     * <ul>
     *   <li>a class ({@code "java.lang.System"}, a nested one as {@code "java.util.Map.Entry"} or
     *       {@code "java.util.Map$Entry"}): the remote {@code Class} ({@link
     *       RemoteRef#isRemoteClass()}): its static methods and fields with {@link RemoteRef#call}
     *       and {@link RemoteRef#getAttr}, its constructors with {@link RemoteRef#invoke}, its
     *       nested classes with {@code getAttr("Entry")};
     *   <li>a package ({@code "java.util"}): a handle whose attributes are its classes and
     *       sub-packages: {@code getAttr("ArrayList")}, {@code getAttr("concurrent")}.
     * </ul>
     *
     * @throws RemoteInvocationException of remote type {@code java.lang.ClassNotFoundException}
     *     naming {@code name} if the server has no such class or package
     */
    RemoteRef get(String name);
  }

  /** An active {@linkplain #redirectedStdio() redirection}; closing it ends the redirection. */
  interface StdioRedirection extends AutoCloseable {
    /** Ends the redirection, after what was printed so far has arrived. Idempotent. */
    @Override
    void close();
  }

  /** A {@link Callable} that {@link ClassicConnection#teleport} can send: it is serializable. */
  @FunctionalInterface
  interface SerializableCallable<T> extends Callable<T>, Serializable {}

  /** A {@link Runnable} that {@link ClassicConnection#teleport} can send. */
  @FunctionalInterface
  interface SerializableRunnable extends Runnable, Serializable {}

  /** A {@link Function} that {@link ClassicConnection#teleport} can send. */
  @FunctionalInterface
  interface SerializableFunction<T, R> extends Function<T, R>, Serializable {}

  /**
   * A result together with the output printed while it was computed on the server. Immutable.
   *
   * @param <T> the type of the value
   */
  final class Captured<T> {
    private final T value;
    private final String stdout;
    private final String stderr;
    private final RemoteInvocationException error;

    /** Creates a captured result; {@code error} is {@code null} when the code succeeded. */
    public Captured(T value, String stdout, String stderr, RemoteInvocationException error) {
      this.value = value;
      this.stdout = Objects.requireNonNull(stdout, "stdout");
      this.stderr = Objects.requireNonNull(stderr, "stderr");
      this.error = error;
    }

    /**
     * The value.
     *
     * @throws RemoteInvocationException the {@linkplain #error() error} if the code failed
     */
    public T value() {
      if (error != null) {
        throw error;
      }
      return value;
    }

    /** What the code printed on the server's {@code System.out}. */
    public String stdout() {
      return stdout;
    }

    /** What the code printed on the server's {@code System.err}. */
    public String stderr() {
      return stderr;
    }

    /** The code's failure (a compile error or the exception it threw), or {@code null}. */
    public RemoteInvocationException error() {
      return error;
    }

    @Override
    public String toString() {
      return "Captured["
          + (error != null ? "error=" + error.getMessage() : "value=" + value)
          + ", stdout="
          + stdout.length()
          + " chars, stderr="
          + stderr.length()
          + " chars]";
    }
  }
}
