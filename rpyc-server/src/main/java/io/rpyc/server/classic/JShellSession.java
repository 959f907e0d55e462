package io.rpyc.server.classic;

import io.rpyc.RemoteRef;
import io.rpyc.RpycException;
import io.rpyc.Tuple;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;
import javax.lang.model.SourceVersion;
import jdk.jshell.Diag;
import jdk.jshell.EvalException;
import jdk.jshell.JShell;
import jdk.jshell.JShellException;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.UnresolvedReferenceException;
import jdk.jshell.VarSnippet;
import jdk.jshell.execution.DirectExecutionControl;
import jdk.jshell.spi.ExecutionControl;
import jdk.jshell.spi.ExecutionControlProvider;
import jdk.jshell.spi.ExecutionEnv;

/**
 * One connection's jshell state: Java source evaluated in this JVM (no second JVM), on the thread
 * serving the request, so what a snippet prints is routed like any other output of the connection
 * and a snippet may call back into the client. Variables, methods, classes and imports persist
 * between calls. Starts with jshell's default imports ({@code java.util.*}, {@code java.io.*},
 * ...); the server's class path is on the compiler's class path.
 *
 * <p>Values come back as the objects themselves (jshell's own API only offers their text): the
 * execution control keeps the result of the snippet it ran and the value of the variable it read. A
 * runtime failure is rethrown as the original exception, its stack trace cut below the snippet.
 *
 * <p>Thread-safe: calls take turns (jshell is single-threaded), waiting at most the connection's
 * request timeout; a snippet cannot run another snippet of its own connection.
 */
final class JShellSession implements AutoCloseable {
  private static final List<String> DEFAULT_IMPORTS =
      List.of(
          "import java.io.*;",
          "import java.math.*;",
          "import java.net.*;",
          "import java.nio.file.*;",
          "import java.util.*;",
          "import java.util.concurrent.*;",
          "import java.util.function.*;",
          "import java.util.regex.*;",
          "import java.util.stream.*;");

  private final String name;
  private final ClassLoader parent;
  private final Duration lockTimeout;
  private final ReentrantLock lock = new ReentrantLock();
  private JShell jshell;
  private volatile Control control;
  private SnippetLoader loader;
  private volatile boolean closed;

  JShellSession(String name, ClassLoader parent, Duration lockTimeout) {
    this.name = name;
    this.parent = parent;
    this.lockTimeout = lockTimeout;
  }

  /** Something done while holding the session. */
  private interface Work<T> {
    T run() throws Throwable;
  }

  private <T> T locked(Work<T> work) throws Throwable {
    if (lock.isHeldByCurrentThread()) {
      throw new IllegalStateException(
          "a snippet cannot evaluate another snippet of its own connection while it runs");
    }
    boolean acquired;
    try {
      acquired = lock.tryLock(lockTimeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RpycException("interrupted while waiting for the connection's jshell");
    }
    if (!acquired) {
      throw new RpycException(
          "the connection's jshell was busy with another snippet for " + lockTimeout);
    }
    try {
      if (closed) {
        throw new IllegalStateException("the connection's jshell is closed");
      }
      return work.run();
    } finally {
      lock.unlock();
    }
  }

  /** Evaluates {@code code} and returns the value of its last snippet, or {@code null}. */
  Object eval(String code) throws Throwable {
    return locked(() -> stoppable(() -> runAll(code, null)));
  }

  /**
   * Evaluates {@code code} as {@link #eval} does and describes each snippet for a shell to show:
   * {@code (kind, name, type, value, action)} with {@code kind} one of {@code expression}, {@code
   * variable}, {@code method}, {@code class}, {@code import}, {@code statement}; {@code name} and
   * {@code type} as declared ({@code $1} and the expression's type for an expression); {@code
   * value} the value as jshell shows it ({@code "text"} quoted, arrays listed) or {@code null};
   * {@code action} {@code created} or {@code replaced}.
   */
  List<Tuple> evalDescribed(String code) throws Throwable {
    return locked(
        () -> {
          List<Tuple> report = new ArrayList<>();
          stoppable(() -> runAll(code, report));
          return report;
        });
  }

  /**
   * Stops the snippet running for this session, if one is: it throws {@link
   * SnippetStoppedException} at its next loop iteration, or is interrupted if it waits. A snippet
   * still being compiled is stopped as soon as it starts to run (the compiler is never interrupted:
   * that would close the files it reads). Does not wait; returns whether a snippet was there.
   */
  boolean stop() {
    Control c = control;
    return c != null && c.requestStop();
  }

  /** Whether a snippet is being compiled or run now. */
  boolean isRunning() {
    Control c = control;
    return c != null && c.busy();
  }

  /**
   * How complete {@code code} is as Java source: jshell's {@code SourceCodeAnalysis.Completeness}
   * name ({@code COMPLETE}, {@code COMPLETE_WITH_SEMI}, {@code DEFINITELY_INCOMPLETE}, {@code
   * CONSIDERED_INCOMPLETE}, {@code EMPTY}, {@code UNKNOWN}) of the whole text, so a shell knows
   * whether to ask for another line.
   */
  String completeness(String code) throws Throwable {
    return locked(
        () -> {
          SourceCodeAnalysis analysis = shell().sourceCodeAnalysis();
          String remaining = code;
          SourceCodeAnalysis.Completeness last = SourceCodeAnalysis.Completeness.EMPTY;
          while (!remaining.isBlank()) {
            SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(remaining);
            last = info.completeness();
            if (!last.isComplete()) {
              break;
            }
            remaining = info.remaining();
          }
          return last.name();
        });
  }

  /**
   * jshell's completion of {@code code} at {@code cursor}: {@code (anchor, suggestions)}, where
   * each suggestion replaces the text from {@code anchor} to the cursor and the ones matching the
   * expected type come first.
   */
  Tuple complete(String code, int cursor) throws Throwable {
    if (cursor < 0 || cursor > code.length()) {
      throw new IllegalArgumentException("cursor " + cursor + " outside the code");
    }
    return locked(
        () -> {
          int[] anchor = new int[1];
          List<SourceCodeAnalysis.Suggestion> found =
              shell().sourceCodeAnalysis().completionSuggestions(code, cursor, anchor);
          List<String> suggestions =
              found.stream()
                  .sorted(Comparator.comparing(x -> !x.matchesType())) // stable: typed ones first
                  .map(SourceCodeAnalysis.Suggestion::continuation)
                  .distinct()
                  .toList();
          return Tuple.of(anchor[0], Tuple.copyOf(suggestions));
        });
  }

  /** The import declarations in force, as source ({@code import java.util.*;}). */
  List<String> imports() throws Throwable {
    return locked(
        () -> shell().imports().map(i -> i.source().strip()).collect(Collectors.toList()));
  }

  /** The variables as {@code (type, name, value)}, the value shown as jshell shows it. */
  List<Tuple> describeVariables() throws Throwable {
    return locked(
        () -> {
          List<Tuple> out = new ArrayList<>();
          JShell shell = shell();
          return stoppable(
              () -> {
                for (VarSnippet v : shell.variables().toArray(VarSnippet[]::new)) {
                  out.add(Tuple.of(v.typeName(), v.name(), control.shownAsSnippetCode(valueOf(v))));
                }
                return out;
              });
        });
  }

  /** The variables, by name, with their current values (a snapshot). */
  Map<String, Object> variables() throws Throwable {
    return locked(
        () -> {
          Map<String, Object> out = new LinkedHashMap<>();
          for (VarSnippet v : shell().variables().toArray(VarSnippet[]::new)) {
            out.put(v.name(), valueOf(v));
          }
          return out;
        });
  }

  /** Whether a variable of that name is defined. */
  boolean hasVariable(String varName) throws Throwable {
    return locked(() -> find(varName) != null);
  }

  /** A variable's value, or {@code null} if there is none. */
  Object variable(String varName) throws Throwable {
    return locked(
        () -> {
          VarSnippet v = find(varName);
          return v == null ? null : valueOf(v);
        });
  }

  /**
   * Declares (or redeclares) variable {@code varName} holding {@code value}, typed as the most
   * specific public type the compiler can name; returns the previous value.
   */
  Object define(String varName, Object value) throws Throwable {
    if (!SourceVersion.isIdentifier(varName) || SourceVersion.isKeyword(varName)) {
      throw new IllegalArgumentException("not a Java variable name: '" + varName + "'");
    }
    return locked(
        () -> {
          VarSnippet old = find(varName);
          Object previous = old == null ? null : valueOf(old);
          String type = declarableType(value);
          try {
            declare(varName, type, value);
          } catch (SnippetCompileException e) {
            if ("Object".equals(type)) {
              throw e;
            }
            declare(varName, "Object", value); // the type was not nameable after all
          }
          return previous;
        });
  }

  private void declare(String varName, String type, Object value) throws Throwable {
    long ticket = SnippetBridge.park(value);
    try {
      runAll(
          type
              + " "
              + varName
              + " = ("
              + type
              + ") "
              + SnippetBridge.class.getName()
              + ".take("
              + ticket
              + "L);",
          null);
    } finally {
      SnippetBridge.discard(ticket);
    }
  }

  /** Drops a variable; returns its value. */
  Object drop(String varName) throws Throwable {
    return locked(
        () -> {
          VarSnippet v = find(varName);
          if (v == null) {
            return null;
          }
          Object value = valueOf(v);
          shell().drop(v);
          return value;
        });
  }

  /**
   * Closes jshell; a snippet still running (its caller gone) keeps it until the snippet ends, and
   * no further snippet starts.
   */
  @Override
  public void close() {
    closed = true;
    boolean acquired;
    try {
      acquired = lock.tryLock(lockTimeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    if (!acquired) {
      return; // left to the garbage collector with the connection
    }
    try {
      if (jshell != null) {
        jshell.close();
        jshell = null;
      }
    } finally {
      lock.unlock();
    }
  }

  // ------------------------------------------------------------------ under the lock

  private JShell shell() throws Throwable {
    if (jshell == null) {
      loader = new SnippetLoader("rpyc-jshell-" + name, parent);
      control = new Control(loader);
      Control created = control;
      ExecutionControlProvider provider =
          new ExecutionControlProvider() {
            @Override
            public String name() {
              return "rpyc-direct";
            }

            @Override
            public ExecutionControl generate(ExecutionEnv env, Map<String, String> parameters) {
              return created;
            }
          };
      jshell =
          JShell.builder()
              .executionEngine(provider, Map.of())
              .in(InputStream.nullInputStream())
              .out(System.out)
              .err(System.err)
              .build();
      String classPath = System.getProperty("java.class.path", "");
      if (!classPath.isBlank()) {
        jshell.addToClasspath(classPath);
      }
      for (String imp : DEFAULT_IMPORTS) {
        runAll(imp, null);
      }
    }
    return jshell;
  }

  private VarSnippet find(String varName) throws Throwable {
    for (VarSnippet v : shell().variables().toArray(VarSnippet[]::new)) {
      if (v.name().equals(varName)) {
        return v;
      }
    }
    return null;
  }

  private Object valueOf(VarSnippet v) {
    control.lastVariable = null;
    try {
      jshell.varValue(v);
    } catch (IllegalArgumentException e) {
      return null; // not initialized (a recoverable snippet waiting for a declaration)
    }
    return control.lastVariable;
  }

  /** Runs each snippet of {@code code}; describes them in {@code report} unless it is null. */
  private Object runAll(String code, List<Tuple> report) throws Throwable {
    JShell shell = shell();
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    thread.setContextClassLoader(loader);
    try {
      SourceCodeAnalysis analysis = shell.sourceCodeAnalysis();
      Object last = null;
      String remaining = code;
      while (!remaining.isBlank()) {
        SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(remaining);
        String source;
        switch (info.completeness()) {
          case COMPLETE:
          case COMPLETE_WITH_SEMI:
            source = info.source();
            remaining = info.remaining();
            break;
          case EMPTY:
            return last; // only comments left
          default:
            source = remaining; // incomplete or unknown: let the compiler say what is wrong
            remaining = "";
            break;
        }
        if (control.stopRequested()) {
          throw new SnippetStoppedException(); // an earlier snippet of this input was stopped
        }
        last = runOne(shell, source, report);
      }
      return last;
    } finally {
      thread.setContextClassLoader(previous);
    }
  }

  private Object runOne(JShell shell, String source, List<Tuple> report) throws Throwable {
    control.lastResult = null;
    control.lastThrown = null;
    control.lastShown = null;
    control.describing = report != null;
    SnippetEvent main = null;
    for (SnippetEvent e : shell.eval(source)) {
      if (e.causeSnippet() == null) {
        main = e;
        break;
      }
    }
    if (main == null) {
      return null;
    }
    Snippet snippet = main.snippet();
    if (main.status() == Snippet.Status.REJECTED) {
      throw new SnippetCompileException(describeErrors(shell, snippet));
    }
    if (main.exception() != null) {
      throw failure(shell, main.exception());
    }
    Snippet.Kind kind = snippet.kind();
    Object value =
        kind == Snippet.Kind.EXPRESSION || kind == Snippet.Kind.VAR ? control.lastResult : null;
    if (report != null) {
      String shown = control.lastShown != null ? control.lastShown : Control.shown(value);
      report.add(describe(main, shown));
    }
    return value;
  }

  /**
   * Runs {@code work} (compiling and running snippets) so that {@link #stop()} can stop it. Under
   * the session lock, after {@link #shell()}.
   */
  private <T> T stoppable(Work<T> work) throws Throwable {
    shell();
    control.begin();
    try {
      return work.run();
    } finally {
      control.end(); // a stop that comes later finds nothing, and cannot hit the next snippet
    }
  }

  private static Tuple describe(SnippetEvent event, String shown) {
    Snippet snippet = event.snippet();
    String action = event.previousStatus() == Snippet.Status.NONEXISTENT ? "created" : "replaced";
    switch (snippet.kind()) {
      case VAR:
        VarSnippet v = (VarSnippet) snippet;
        return Tuple.of("variable", v.name(), v.typeName(), shown, action);
      case EXPRESSION:
        jdk.jshell.ExpressionSnippet x = (jdk.jshell.ExpressionSnippet) snippet;
        return Tuple.of("expression", x.name(), x.typeName(), shown, action);
      case METHOD:
        jdk.jshell.MethodSnippet m = (jdk.jshell.MethodSnippet) snippet;
        return Tuple.of(
            "method", m.name() + "(" + m.parameterTypes() + ")", m.signature(), null, action);
      case TYPE_DECL:
        jdk.jshell.TypeDeclSnippet t = (jdk.jshell.TypeDeclSnippet) snippet;
        return Tuple.of("class", t.name(), kindOf(t.subKind()), null, action);
      case IMPORT:
        return Tuple.of("import", ((jdk.jshell.ImportSnippet) snippet).name(), null, null, action);
      default:
        return Tuple.of("statement", null, null, null, action);
    }
  }

  private static String kindOf(Snippet.SubKind subKind) {
    switch (subKind) {
      case INTERFACE_SUBKIND:
        return "interface";
      case ENUM_SUBKIND:
        return "enum";
      case ANNOTATION_TYPE_SUBKIND:
        return "@interface";
      case RECORD_SUBKIND:
        return "record";
      default:
        return "class";
    }
  }

  private Throwable failure(JShell shell, JShellException e) {
    if (e instanceof EvalException && control.lastThrown != null) {
      return trimmed(control.lastThrown);
    }
    if (e instanceof UnresolvedReferenceException) {
      Snippet declared = ((UnresolvedReferenceException) e).getSnippet();
      List<String> missing = new ArrayList<>();
      if (declared instanceof jdk.jshell.DeclarationSnippet) {
        shell
            .unresolvedDependencies((jdk.jshell.DeclarationSnippet) declared)
            .forEach(missing::add);
      }
      return new IllegalStateException(
          "'"
              + declared.source().strip()
              + "' cannot be used until "
              + (missing.isEmpty() ? "its dependencies are" : String.join(", ", missing) + " is")
              + " declared");
    }
    return new IllegalStateException(e.getMessage(), e);
  }

  /** Cuts the stack trace below the snippet's frames (reflection, jshell, rpyc-java). */
  private static Throwable trimmed(Throwable t) {
    StackTraceElement[] trace = t.getStackTrace();
    int last = -1;
    for (int i = 0; i < trace.length; i++) {
      if (trace[i].getClassName().startsWith("REPL.")) {
        last = i;
      }
    }
    if (last >= 0 && last < trace.length - 1) {
      t.setStackTrace(Arrays.copyOf(trace, last + 1));
    }
    return t;
  }

  private static String describeErrors(JShell shell, Snippet snippet) {
    String source = snippet.source();
    StringBuilder out = new StringBuilder("the snippet does not compile:");
    shell
        .diagnostics(snippet)
        .filter(Diag::isError)
        .forEach(d -> out.append('\n').append(describe(source, d)));
    if (out.indexOf("\n") < 0) {
      out.append(' ').append(source.strip());
    }
    return out.toString();
  }

  private static String describe(String source, Diag d) {
    String message = d.getMessage(Locale.ROOT);
    long position = d.getStartPosition();
    if (position < 0 || position > source.length()) {
      return "  " + message;
    }
    int pos = (int) position;
    int lineStart = source.lastIndexOf('\n', pos - 1) + 1;
    int lineEnd = source.indexOf('\n', pos);
    if (lineEnd < 0) {
      lineEnd = source.length();
    }
    int line = 1;
    for (int i = 0; i < lineStart; i++) {
      if (source.charAt(i) == '\n') {
        line++;
      }
    }
    return "  line "
        + line
        + ": "
        + message
        + "\n    "
        + source.substring(lineStart, lineEnd)
        + "\n    "
        + " ".repeat(pos - lineStart)
        + "^";
  }

  /** The type a declaration of {@code value} can name: public, and on the compiler's class path. */
  private static String declarableType(Object value) {
    if (value == null) {
      return "Object";
    }
    if (value instanceof RemoteRef) {
      return RemoteRef.class.getName();
    }
    for (Class<?> c = value.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
      if (nameable(c)) {
        return c.getCanonicalName();
      }
    }
    for (Class<?> c = value.getClass(); c != null; c = c.getSuperclass()) {
      for (Class<?> i : c.getInterfaces()) {
        if (nameable(i) && i.getMethods().length > 0) {
          return i.getCanonicalName();
        }
      }
    }
    return "Object";
  }

  private static boolean nameable(Class<?> c) {
    if (c.isHidden() || c.isAnonymousClass() || c.isLocalClass() || c.getCanonicalName() == null) {
      return false;
    }
    for (Class<?> k = c; k != null; k = k.getEnclosingClass()) {
      if (!Modifier.isPublic(k.getModifiers())) {
        return false;
      }
    }
    if (!c.getModule().isExported(c.getPackageName())) {
      return false;
    }
    try {
      return Class.forName(c.getName(), false, ClassLoader.getSystemClassLoader()) == c;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /**
   * Runs snippets on the calling thread and keeps the objects jshell only shows as text: the
   * snippet's result, the exception it threw, the variable last read.
   */
  private static final class Control extends DirectExecutionControl {
    Object lastResult;
    Throwable lastThrown;
    Object lastVariable;

    private final Object stopLock = new Object();
    private Thread evaluating; // guarded by stopLock: compiling or running snippets
    private Thread executing; // guarded by stopLock: running snippet code
    private boolean stopRequested; // guarded by stopLock: the evaluation is to stop
    boolean describing;
    String lastShown;

    Control(SnippetLoader loader) {
      super(loader.delegate());
    }

    void begin() {
      synchronized (stopLock) {
        evaluating = Thread.currentThread();
        stopRequested = false;
      }
    }

    void end() {
      synchronized (stopLock) {
        evaluating = null;
        stopRequested = false;
      }
    }

    /** Whether the evaluation was asked to stop: its remaining snippets must not run. */
    boolean stopRequested() {
      synchronized (stopLock) {
        return stopRequested;
      }
    }

    boolean busy() {
      synchronized (stopLock) {
        return evaluating != null;
      }
    }

    /**
     * Stops the evaluation: the snippet code running now (if any) and every snippet of the same
     * input after it. One decision under one lock, so a stop never outlives the evaluation it was
     * meant for.
     */
    boolean requestStop() {
      synchronized (stopLock) {
        if (evaluating == null) {
          return false;
        }
        stopRequested = true;
        if (executing != null) {
          SnippetStop.request(executing);
          executing.interrupt();
        }
        return true;
      }
    }

    @Override
    protected void clientCodeEnter() {
      synchronized (stopLock) {
        executing = Thread.currentThread();
        if (stopRequested) { // asked while this snippet was compiled
          SnippetStop.request(executing);
          executing.interrupt();
        }
      }
    }

    @Override
    protected void clientCodeLeave() {
      Thread thread = Thread.currentThread();
      synchronized (stopLock) {
        executing = null;
      }
      SnippetStop.clear(thread); // the stop ends with the snippet
      Thread.interrupted(); // nor may an interrupt meant for it reach the pool's next task
    }

    /** Shows {@code value}, running its {@code toString()} as snippet code: stoppable. */
    String shownAsSnippetCode(Object value) {
      clientCodeEnter();
      try {
        return shown(value);
      } finally {
        clientCodeLeave();
      }
    }

    @Override
    protected String invoke(Method doit) throws Exception {
      Object result;
      try {
        result = doit.invoke(null);
      } catch (InvocationTargetException e) {
        lastThrown = e.getCause();
        throw e;
      }
      lastResult = result;
      if (describing) {
        try {
          lastShown = shown(result); // its toString() is the snippet's code too: stoppable
        } catch (Error e) { // stopped
          lastThrown = e;
          throw new InvocationTargetException(e);
        }
      }
      return cheapText(result);
    }

    @Override
    public String varValue(String className, String varName)
        throws ExecutionControl.RunException,
            ExecutionControl.EngineTerminationException,
            ExecutionControl.InternalException {
      try {
        Field f = findClass(className).getDeclaredField(varName);
        f.setAccessible(true);
        Object value = f.get(null);
        lastVariable = value;
        return cheapText(value);
      } catch (ReflectiveOperationException | RuntimeException e) {
        throw new ExecutionControl.InternalException("reading " + varName + " failed: " + e);
      }
    }

    /**
     * A value as jshell shows it ({@code "text"} quoted, {@code 'c'}, arrays listed, else {@code
     * toString()}); a failing {@code toString()} is shown, not thrown.
     */
    static String shown(Object value) {
      try {
        return valueString(value);
      } catch (RuntimeException | LinkageError e) {
        return value.getClass().getName() + " (toString() threw " + e + ")";
      }
    }

    /** jshell only displays this; a remote object's toString would cost a round trip. */
    private static String cheapText(Object value) {
      if (value == null
          || value instanceof String
          || value instanceof Number
          || value instanceof Boolean
          || value instanceof Character) {
        return valueString(value);
      }
      return value.getClass().getName() + "@" + Integer.toHexString(System.identityHashCode(value));
    }
  }
}
