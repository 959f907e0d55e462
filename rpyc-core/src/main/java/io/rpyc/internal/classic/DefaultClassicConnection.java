package io.rpyc.internal.classic;

import io.rpyc.AsyncResult;
import io.rpyc.ClassicConnection;
import io.rpyc.Connection;
import io.rpyc.ConnectionClosedException;
import io.rpyc.ConnectionStats;
import io.rpyc.RemoteInvocationException;
import io.rpyc.RemoteRef;
import io.rpyc.Rpyc;
import io.rpyc.RpycConfig;
import io.rpyc.RpycException;
import io.rpyc.Service;
import io.rpyc.Tuple;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@link ClassicConnection} over any {@link Connection} to a classic server: every classic
 * operation is a call on the server's root (names in {@link ClassicProtocol}), made with the
 * ordinary API. Thread-safe.
 */
public final class DefaultClassicConnection implements ClassicConnection {
  private final Connection delegate;
  private final ConcurrentHashMap<String, RemoteRef> modules = new ConcurrentHashMap<>();
  private final ClassSource classSource = new ClassSource();
  private final Modules modulesView = this::module;

  /** Wraps a connection to a classic server. */
  public DefaultClassicConnection(Connection delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  // ------------------------------------------------------------------ classic

  @Override
  public Modules modules() {
    return modulesView;
  }

  private RemoteRef module(String name) {
    Objects.requireNonNull(name, "name");
    RemoteRef cached = modules.get(name);
    if (cached != null) {
      return cached;
    }
    RemoteRef found = Rpyc.ref(root().call(ClassicProtocol.GETMODULE, name));
    RemoteRef raced = modules.putIfAbsent(name, found);
    return raced != null ? raced : found;
  }

  @Override
  public Object eval(String javaCode) {
    Objects.requireNonNull(javaCode, "javaCode");
    return root().call(ClassicProtocol.EVAL, javaCode);
  }

  @Override
  public void execute(String javaCode) {
    Objects.requireNonNull(javaCode, "javaCode");
    root().call(ClassicProtocol.EXECUTE, javaCode);
  }

  @Override
  @SuppressWarnings("unchecked")
  public Map<String, Object> namespace() {
    return Rpyc.ref(root().getAttr(ClassicProtocol.NAMESPACE)).as(Map.class);
  }

  @Override
  public StdioRedirection redirectedStdio() {
    return redirectedStdio(System.out, System.err);
  }

  @Override
  public StdioRedirection redirectedStdio(PrintStream out, PrintStream err) {
    OutputSink outSink = new OutputSink(out);
    OutputSink errSink = new OutputSink(err);
    root().call(ClassicProtocol.REDIRECT_STDIO, outSink, errSink);
    AtomicBoolean closed = new AtomicBoolean();
    return () -> {
      if (closed.compareAndSet(false, true) && !isClosed()) {
        try {
          root().call(ClassicProtocol.RESTORE_STDIO, outSink);
        } catch (ConnectionClosedException e) {
          // closing meanwhile (isClosed() says so only once that has finished): nothing to restore
        }
      }
    };
  }

  @Override
  public Captured<Object> evalCaptured(String javaCode) {
    Objects.requireNonNull(javaCode, "javaCode");
    return captured(root().call(ClassicProtocol.EVAL_CAPTURED, javaCode));
  }

  @Override
  @SuppressWarnings("unchecked")
  public AsyncResult<Captured<Object>> evalCapturedAsync(String javaCode) {
    Objects.requireNonNull(javaCode, "javaCode");
    // AsyncResult's dependent stages are AsyncResults too (newIncompleteFuture)
    return (AsyncResult<Captured<Object>>)
        root().callAsync(ClassicProtocol.EVAL_CAPTURED, javaCode).thenApply(this::captured);
  }

  @Override
  public RemoteRef teleport(Object code) {
    Tuple spec = TeleportSpecs.describe(code, classSource);
    return Rpyc.ref(root().call(ClassicProtocol.TELEPORT, classSource, spec));
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T> T call(SerializableCallable<T> task) {
    return (T) teleport(task).invoke();
  }

  @Override
  public void run(SerializableRunnable task) {
    teleport(task).invoke();
  }

  @Override
  public <T> Captured<T> callCaptured(SerializableCallable<T> task) {
    Tuple spec = TeleportSpecs.describe(task, classSource);
    return captured(root().call(ClassicProtocol.CALL_CAPTURED, classSource, spec));
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T> AsyncResult<Captured<T>> callCapturedAsync(SerializableCallable<T> task) {
    Tuple spec = TeleportSpecs.describe(task, classSource);
    return (AsyncResult<Captured<T>>)
        root()
            .callAsync(ClassicProtocol.CALL_CAPTURED, classSource, spec)
            .thenApply(reply -> this.<T>captured(reply));
  }

  @SuppressWarnings("unchecked")
  private <T> Captured<T> captured(Object reply) {
    if (!(reply instanceof Tuple) || ((Tuple) reply).size() != 4) {
      throw new RpycException("the server sent a malformed captured result: " + reply);
    }
    Tuple t = (Tuple) reply;
    RemoteInvocationException error = null;
    if (t.get(3) instanceof Tuple) {
      Tuple e = (Tuple) t.get(3);
      Map<String, Object> attrs =
          Map.of(
              RemoteInvocationException.ATTR_JAVA_CLASS, String.valueOf(e.get(3)),
              RemoteInvocationException.ATTR_JAVA_HIERARCHY, String.valueOf(e.get(4)));
      error =
          new RemoteInvocationException(
              String.valueOf(e.get(0)),
              (String) e.get(1),
              e.get(1) == null ? List.of() : List.of(e.get(1)),
              attrs,
              (String) e.get(2));
    }
    return new Captured<>((T) t.get(0), (String) t.get(1), (String) t.get(2), error);
  }

  // ------------------------------------------------------------------ files

  @Override
  public void upload(Path localPath, String remotePath) {
    Objects.requireNonNull(localPath, "localPath");
    Objects.requireNonNull(remotePath, "remotePath");
    try {
      if (Files.isDirectory(localPath)) {
        root().call(ClassicProtocol.MAKE_DIRECTORIES, remotePath);
        List<Path> children;
        try (Stream<Path> list = Files.list(localPath)) {
          children = list.sorted().collect(Collectors.toList());
        }
        for (Path child : children) {
          upload(child, remotePath + "/" + child.getFileName());
        }
      } else if (Files.isRegularFile(localPath)) {
        uploadFile(localPath, remotePath);
      } else {
        throw new RpycException(
            "cannot upload "
                + localPath
                + ": "
                + (Files.exists(localPath) ? "not a file" : "no such file"));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("uploading " + localPath + " failed", e);
    }
  }

  private void uploadFile(Path localPath, String remotePath) throws IOException {
    RemoteRef writer = Rpyc.ref(root().call(ClassicProtocol.OPEN_FOR_WRITING, remotePath));
    boolean done = false;
    try (InputStream in = Files.newInputStream(localPath)) {
      byte[] chunk;
      while ((chunk = in.readNBytes(ClassicProtocol.CHUNK)).length > 0) {
        writer.call("write", (Object) chunk);
      }
      writer.call("close");
      done = true;
    } finally {
      if (!done) {
        closeQuietly(writer);
      }
    }
  }

  @Override
  public void download(String remotePath, Path localPath) {
    Objects.requireNonNull(remotePath, "remotePath");
    Objects.requireNonNull(localPath, "localPath");
    try {
      Tuple info = (Tuple) root().call(ClassicProtocol.FILE_INFO, remotePath);
      if ("directory".equals(info.get(0))) {
        Files.createDirectories(localPath);
        Tuple names = (Tuple) root().call(ClassicProtocol.LIST_DIRECTORY, remotePath);
        for (Object name : names) {
          download(remotePath + "/" + name, localPath.resolve((String) name));
        }
      } else {
        downloadFile(remotePath, localPath);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("downloading to " + localPath + " failed", e);
    }
  }

  private void downloadFile(String remotePath, Path localPath) throws IOException {
    RemoteRef reader = Rpyc.ref(root().call(ClassicProtocol.OPEN_FOR_READING, remotePath));
    try (OutputStream out = Files.newOutputStream(localPath)) {
      while (true) {
        byte[] chunk = (byte[]) reader.call("read", ClassicProtocol.CHUNK);
        if (chunk.length == 0) {
          break;
        }
        out.write(chunk);
      }
    } finally {
      closeQuietly(reader);
    }
  }

  private void closeQuietly(RemoteRef remote) {
    if (isClosed()) {
      return;
    }
    try {
      remote.call("close");
    } catch (RpycException e) {
      // the original failure matters more
    }
  }

  // ------------------------------------------------------------------ Connection

  @Override
  public void interact() {
    InteractiveShell.find().interact(this);
  }

  @Override
  public RemoteRef root() {
    return delegate.root();
  }

  @Override
  public <T> T root(Class<T> type) {
    return delegate.root(type);
  }

  @Override
  public void ping() {
    delegate.ping();
  }

  @Override
  public void ping(Duration timeout) {
    delegate.ping(timeout);
  }

  @Override
  public Service localService() {
    return delegate.localService();
  }

  @Override
  public RpycConfig config() {
    return delegate.config();
  }

  @Override
  public Object credentials() {
    return delegate.credentials();
  }

  @Override
  public boolean isJavaPeer() {
    return delegate.isJavaPeer();
  }

  @Override
  public SocketAddress localAddress() {
    return delegate.localAddress();
  }

  @Override
  public SocketAddress remoteAddress() {
    return delegate.remoteAddress();
  }

  @Override
  public boolean isClosed() {
    return delegate.isClosed();
  }

  @Override
  public ConnectionStats stats() {
    return delegate.stats();
  }

  @Override
  public void close() {
    delegate.close();
  }

  @Override
  public String toString() {
    return "Classic" + delegate;
  }
}
