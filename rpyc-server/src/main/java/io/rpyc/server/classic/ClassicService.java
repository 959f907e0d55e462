package io.rpyc.server.classic;

import io.rpyc.Connection;
import io.rpyc.Exposed;
import io.rpyc.RemoteRef;
import io.rpyc.Rpyc;
import io.rpyc.RpycConfig;
import io.rpyc.RpycException;
import io.rpyc.Service;
import io.rpyc.ServiceAliases;
import io.rpyc.Tuple;
import io.rpyc.server.RpycServer;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The root of a classic server: RPyC's {@code SlaveService} for the JVM. A client reaches the whole
 * JVM through it: any class by name ({@code getmodule}), Java source run by jshell in this JVM
 * ({@code eval}, {@code execute}, {@code namespace}), its own code teleported here, this JVM's
 * standard output shown on its side, files copied either way. The first five names are RPyC's, so
 * Python classic clients find them; {@link io.rpyc.ClassicConnection} wraps all of it for Java
 * clients.
 *
 * <p><b>Remote code execution by design.</b> Serve it with {@link #config()} (everything reachable,
 * as {@code SlaveService} sets up, except pickling, which rpyc-java never does), on loopback or
 * behind authentication, never to untrusted peers:
 *
 * <pre>{@code
 * try (RpycServer server = ClassicService.serverBuilder().build().start()) {   // 127.0.0.1:18812
 *   server.awaitClosed();
 * }
 * }</pre>
 *
 * <p>One instance per connection (the builder's {@code service(ClassicService::new)}): each
 * connection has its own jshell state, class loader for teleported code and stdio redirection.
 * Creating the first instance installs a {@code System.out} and {@code System.err} that route
 * output by connection (unrouted output still reaches the original streams). Thread-safe.
 */
@ServiceAliases({"SLAVE", "CLASSIC"})
public final class ClassicService extends Service {
  private static final Logger log = LoggerFactory.getLogger(ClassicService.class);
  private static final AtomicInteger IDS = new AtomicInteger();
  private static volatile Set<String> knownPackages;

  private final StdioRouter router = StdioRouter.install();
  private final Runnable disconnected;
  private final FileChunks files = new FileChunks();
  private final int id = IDS.incrementAndGet();
  private final TeleportLoader loader =
      new TeleportLoader("rpyc-classic-" + id, ClassicService.class.getClassLoader());
  private volatile Connection connection;
  private volatile JShellSession session;

  /**
   * RPyC's {@code namespace}: the variables of this connection's jshell state. Reading gives their
   * current values; {@code put} declares a variable later snippets can use; {@code remove} drops
   * one. Iteration and {@code size} work on a snapshot.
   */
  @Exposed public final Map<String, Object> namespace = new Namespace();

  /** Creates the service for one connection. */
  public ClassicService() {
    this(() -> {});
  }

  ClassicService(Runnable disconnected) {
    this.disconnected = disconnected;
  }

  /**
   * The configuration a classic server's connections need: {@code base} with every attribute
   * reachable and assignable, as RPyC's {@code SlaveService} sets up.
   */
  public static RpycConfig config(RpycConfig base) {
    return base.toBuilder()
        .allowAllAttrs(true)
        .allowPublicAttrs(true)
        .allowGetattr(true)
        .allowSetattr(true)
        .allowDelattr(true)
        .build();
  }

  /** {@link #config(RpycConfig)} of the defaults. */
  public static RpycConfig config() {
    return config(RpycConfig.defaults());
  }

  /**
   * A server builder set up for classic mode: this service per connection, {@link #config()},
   * loopback, port {@value Rpyc#CLASSIC_PORT}.
   */
  public static RpycServer.Builder serverBuilder() {
    return RpycServer.builder()
        .service(ClassicService::new)
        .config(config())
        .host("127.0.0.1")
        .port(Rpyc.CLASSIC_PORT);
  }

  @Override
  public void onConnect(Connection connection) {
    this.connection = connection;
    this.session =
        new JShellSession(String.valueOf(id), loader, connection.config().syncRequestTimeout());
    if (!connection.config().allowAllAttrs()) {
      log.warn(
          "{}: classic service without ClassicService.config(): only its own methods are usable",
          connection);
    }
  }

  @Override
  public void onDisconnect(Connection connection) {
    router.forget(connection);
    files.close();
    JShellSession s = session;
    if (s != null) {
      s.stop(); // nobody waits for it any more: a loop would run on for ever
      s.close();
    }
    disconnected.run();
  }

  // ------------------------------------------------------------------ RPyC's SlaveService

  /**
   * A class or package by name: RPyC's {@code getmodule}. A class is loaded (and initialized) in
   * this connection's class loader; a nested class may be named with dots ({@code
   * java.util.Map.Entry}); a package comes back as a {@link JavaPackage}. A tuple of names is
   * joined with dots; {@code builtins} (what RPyC's clients ask for first) is {@code java.lang},
   * and {@code importlib.util} (which they ask for next) a {@link ModuleFinder}.
   *
   * @throws ClassNotFoundException naming {@code name} if there is no such class or package
   */
  @Exposed
  public Object getmodule(Object name) throws ClassNotFoundException {
    String dotted;
    if (name instanceof Tuple) {
      dotted = ((Tuple) name).stream().map(String::valueOf).collect(Collectors.joining("."));
    } else if (name instanceof String) {
      dotted = (String) name;
    } else {
      throw new IllegalArgumentException("getmodule takes a name, not " + name);
    }
    if ("builtins".equals(dotted) || "__builtin__".equals(dotted)) {
      dotted = "java.lang";
    } else if ("importlib.util".equals(dotted)) {
      return new ModuleFinder(); // RPyC's classic clients ask for it when they connect
    }
    Object found = lookup(dotted);
    if (found == null) {
      throw new ClassNotFoundException("no class or package named '" + dotted + "' on the server");
    }
    return found;
  }

  /**
   * Evaluates Java source with this connection's jshell and returns the value of its last snippet:
   * RPyC's {@code eval}, with Java instead of Python.
   *
   * @throws SnippetCompileException listing the diagnostics if it does not compile
   * @throws Throwable whatever the code throws, with its stack trace
   */
  @Exposed
  public Object eval(String code) throws Throwable {
    return withContext(() -> session().eval(code));
  }

  /** Runs Java source with this connection's jshell: RPyC's {@code execute}. */
  @Exposed
  public void execute(String code) throws Throwable {
    withContext(() -> session().eval(code));
  }

  // ------------------------------------------------------------------ for shells (rpyc-shell)

  /**
   * {@link #eval} for an interactive shell: runs {@code code} and describes each of its snippets as
   * {@code (kind, name, type, value, action)}, the value as text (see {@code docs/shell.md}).
   */
  @Exposed
  public Tuple shellEval(String code) throws Throwable {
    return Tuple.copyOf(withContext(() -> session().evalDescribed(code)));
  }

  /**
   * Stops this connection's running snippet, if any (it fails with {@link
   * SnippetStoppedException}); returns whether one was running. Does not wait for it to end.
   */
  @Exposed
  public boolean stop() {
    JShellSession s = session;
    return s != null && s.stop();
  }

  /**
   * Whether {@code code} is complete Java source: jshell's completeness ({@code COMPLETE}, {@code
   * DEFINITELY_INCOMPLETE}, ...), for a shell to decide whether to read another line.
   */
  @Exposed
  public String completeness(String code) throws Throwable {
    return session().completeness(code);
  }

  /**
   * jshell's completion of {@code code} at {@code cursor}: {@code (anchor, (suggestion, ...))},
   * each suggestion replacing the text between {@code anchor} and the cursor.
   */
  @Exposed
  public Tuple complete(String code, int cursor) throws Throwable {
    return withContext(() -> session().complete(code, cursor));
  }

  /** The import declarations of this connection's jshell state, as source. */
  @Exposed
  public Tuple imports() throws Throwable {
    return Tuple.copyOf(session().imports());
  }

  /** The variables of this connection's jshell state as {@code (type, name, value as text)}. */
  @Exposed
  public Tuple variables() throws Throwable {
    return Tuple.copyOf(withContext(() -> session().describeVariables()));
  }

  /** This side of the connection: RPyC's {@code getconn}. */
  @Exposed
  public Connection getconn() {
    return connection;
  }

  // ------------------------------------------------------------------ stdio

  /**
   * Sends what this connection's requests print on {@code System.out} and {@code System.err} to
   * {@code out} and {@code err}: objects of the client with a {@code write(String)} method (such as
   * Python's {@code sys.stdout}), until {@link #restoreStdio}.
   */
  @Exposed
  public void redirectStdio(Object out, Object err) {
    if (!(out instanceof RemoteRef) || !(err instanceof RemoteRef)) {
      throw new IllegalArgumentException("redirectStdio takes two objects of the client");
    }
    router.redirect(connection, (RemoteRef) out, (RemoteRef) err);
  }

  /** Ends the redirection to {@code out} (any redirection if {@code null}), after flushing it. */
  @Exposed
  public void restoreStdio(Object out) {
    router.restore(connection, out instanceof RemoteRef ? (RemoteRef) out : null);
  }

  /**
   * {@link #eval} keeping what the code prints: {@code (value, stdout, stderr, error)}, with {@code
   * error} {@code None} or {@code (type, message, traceback, javaClass, javaHierarchy)}.
   */
  @Exposed
  public Tuple evalCaptured(String code) {
    return captured(router.capture(() -> withContext(() -> session().eval(code))));
  }

  // ------------------------------------------------------------------ teleport

  /**
   * Rebuilds code the client teleported (a lambda, an object or a class, described as in {@code
   * ClassicProtocol}) in this connection's class loader, which asks {@code classSource} (an object
   * of the client with {@code classBytes(name)}) for the client's classes as needed.
   */
  @Exposed
  public Object teleport(Object classSource, Tuple spec) throws Throwable {
    if (classSource instanceof RemoteRef) {
      loader.offer((RemoteRef) classSource);
    }
    return withContext(() -> Teleports.rebuild(spec, loader));
  }

  /**
   * Teleports a {@code Callable}, {@code Supplier} or {@code Runnable} and calls it, keeping what
   * it prints: a tuple as {@link #evalCaptured} returns.
   */
  @Exposed
  public Tuple callCaptured(Object classSource, Tuple spec) {
    return captured(
        router.capture(
            () -> {
              Object code = teleport(classSource, spec);
              return withContext(() -> callTask(code));
            }));
  }

  private static Object callTask(Object code) throws Exception {
    if (code instanceof Callable) {
      return ((Callable<?>) code).call();
    }
    if (code instanceof Supplier) {
      return ((Supplier<?>) code).get();
    }
    if (code instanceof Runnable) {
      ((Runnable) code).run();
      return null;
    }
    throw new IllegalArgumentException(
        code.getClass().getName() + " is not a Callable, Supplier or Runnable");
  }

  // ------------------------------------------------------------------ files

  /** {@code ("file", size)} or {@code ("directory", 0)} ({@code ("other", 0)} for the rest). */
  @Exposed
  public Tuple fileInfo(String path) throws IOException {
    Path p = Path.of(path);
    if (Files.isDirectory(p)) {
      return Tuple.of("directory", 0L);
    }
    if (Files.isRegularFile(p)) {
      return Tuple.of("file", Files.size(p));
    }
    if (!Files.exists(p)) {
      throw new NoSuchFileException(path);
    }
    return Tuple.of("other", 0L);
  }

  /** The names in a directory, sorted. */
  @Exposed
  public Tuple listDirectory(String path) throws IOException {
    try (Stream<Path> list = Files.list(Path.of(path))) {
      return Tuple.copyOf(
          list.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList()));
    }
  }

  /** Creates a directory and its missing parents. */
  @Exposed
  public void makeDirectories(String path) throws IOException {
    Files.createDirectories(Path.of(path));
  }

  /** Opens a file for writing in chunks (created or truncated, parents created). */
  @Exposed
  public FileChunks.Writer openForWriting(String path) throws IOException {
    return files.openForWriting(Path.of(path));
  }

  /** Opens a file for reading in chunks. */
  @Exposed
  public FileChunks.Reader openForReading(String path) throws IOException {
    return files.openForReading(Path.of(path));
  }

  // ------------------------------------------------------------------ internals

  private JShellSession session() {
    JShellSession s = session;
    if (s == null) {
      throw new IllegalStateException("the classic service is not connected");
    }
    return s;
  }

  /** Something run for the client. */
  private interface Work<T> {
    T run() throws Throwable;
  }

  /** Runs client code with the connection's class loader as context loader; flushes its output. */
  private <T> T withContext(Work<T> work) throws Throwable {
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    thread.setContextClassLoader(loader);
    try {
      return work.run();
    } finally {
      thread.setContextClassLoader(previous);
      System.out.flush();
      System.err.flush();
    }
  }

  private Tuple captured(StdioRouter.Captured<?> c) {
    Object error = null;
    if (c.failure != null) {
      Throwable t = c.failure;
      StringJoiner hierarchy = new StringJoiner(",");
      for (Class<?> k = t.getClass().getSuperclass(); k != null; k = k.getSuperclass()) {
        hierarchy.add(k.getName());
      }
      String traceback = null;
      if (connection == null || connection.config().includeLocalTraceback()) {
        StringWriter text = new StringWriter();
        try (PrintWriter w = new PrintWriter(text)) {
          t.printStackTrace(w);
        }
        traceback = text.toString();
      }
      error =
          Tuple.of(
              t.getClass().getName(),
              t.getMessage(),
              traceback,
              t.getClass().getName(),
              hierarchy.toString());
    }
    return Tuple.of(c.value, c.output.out, c.output.err, error);
  }

  /** A class, else a package, of this name visible to this connection, else {@code null}. */
  Object lookup(String name) {
    Class<?> type = loadClass(name);
    if (type != null) {
      return type;
    }
    return isPackage(name) ? new JavaPackage(name, this) : null;
  }

  /**
   * The class {@code name} names, a nested one possibly with dots ({@code java.util.Map.Entry}).
   */
  private Class<?> loadClass(String name) {
    try {
      return Class.forName(name, true, loader);
    } catch (ClassNotFoundException e) {
      int dot = name.lastIndexOf('.');
      if (dot < 0) {
        return null;
      }
      Class<?> outer = loadClass(name.substring(0, dot));
      if (outer == null) {
        return null;
      }
      try {
        return Class.forName(outer.getName() + "$" + name.substring(dot + 1), true, loader);
      } catch (ClassNotFoundException nested) {
        return null;
      }
    }
  }

  private boolean isPackage(String name) {
    String prefix = name + ".";
    for (Package p : loader.getDefinedPackages()) {
      if (p.getName().equals(name) || p.getName().startsWith(prefix)) {
        return true;
      }
    }
    for (String p : knownPackages()) {
      if (p.equals(name) || p.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  /** The packages of the JDK and of the server's class path (computed once). */
  static Set<String> knownPackages() {
    Set<String> known = knownPackages;
    if (known == null) {
      Set<String> found = new HashSet<>();
      for (Module m : ModuleLayer.boot().modules()) {
        found.addAll(m.getPackages());
      }
      for (String entry : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
        if (!entry.isBlank()) {
          addClassPathPackages(Path.of(entry), found);
        }
      }
      knownPackages = known = Collections.unmodifiableSet(found);
    }
    return known;
  }

  private static void addClassPathPackages(Path entry, Set<String> out) {
    try {
      if (Files.isDirectory(entry)) {
        try (Stream<Path> files = Files.walk(entry)) {
          files
              .filter(f -> f.toString().endsWith(".class"))
              .map(f -> entry.relativize(f.getParent() == null ? entry : f.getParent()))
              .map(p -> p.toString().replace(File.separatorChar, '.'))
              .filter(p -> !p.isEmpty())
              .forEach(out::add);
        }
      } else if (Files.isRegularFile(entry)) {
        try (JarFile jar = new JarFile(entry.toFile())) {
          List<JarEntry> entries = new ArrayList<>(Collections.list(jar.entries()));
          for (JarEntry e : entries) {
            String n = e.getName();
            int slash = n.lastIndexOf('/');
            if (n.endsWith(".class") && slash > 0 && !n.startsWith("META-INF/")) {
              out.add(n.substring(0, slash).replace('/', '.'));
            }
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      log.debug("cannot list the packages of {}: {}", entry, e.toString());
    }
  }

  /**
   * What a Python classic client gets for {@code importlib.util}: its {@code name in conn.modules}
   * calls {@code _find_spec_from_path(name)}, which here says whether a class or package of that
   * name exists.
   */
  public final class ModuleFinder {
    private ModuleFinder() {}

    /** The name if a class or package of that name exists, else {@code null} (Python's None). */
    public String _find_spec_from_path(String name) {
      return lookup(name) != null ? name : null;
    }
  }

  /** {@link #namespace}: the jshell variables as a map. */
  private final class Namespace extends AbstractMap<String, Object> {
    @Override
    public Object get(Object key) {
      return key instanceof String ? unchecked(() -> session().variable((String) key)) : null;
    }

    @Override
    public boolean containsKey(Object key) {
      return key instanceof String
          && unchecked(() -> session().hasVariable((String) key)).booleanValue();
    }

    @Override
    public Object put(String key, Object value) {
      return unchecked(() -> withContext(() -> session().define(key, value)));
    }

    @Override
    public Object remove(Object key) {
      return key instanceof String ? unchecked(() -> session().drop((String) key)) : null;
    }

    @Override
    public Set<Entry<String, Object>> entrySet() {
      return Collections.unmodifiableMap(unchecked(() -> session().variables())).entrySet();
    }
  }

  private static <T> T unchecked(Work<T> work) {
    try {
      return work.run();
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new RpycException(t.toString(), t);
    }
  }
}
