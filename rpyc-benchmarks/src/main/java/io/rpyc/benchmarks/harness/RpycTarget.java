package io.rpyc.benchmarks.harness;

import io.rpyc.Connection;
import io.rpyc.RemoteRef;
import io.rpyc.Rpyc;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * rpyc-java's client against a server: an rpyc-java {@code RpycServer} or Python RPyC's {@code
 * ThreadedServer}. Calls go through a typed proxy of {@link BenchApi}.
 */
final class RpycTarget extends Target {
  private final Connection connection;
  private final BenchApi api;
  private final boolean python;

  RpycTarget(String key, String label, int port, boolean python) {
    super(key, label);
    this.connection = Rpyc.connect("127.0.0.1", port);
    this.api = connection.root(BenchApi.class);
    this.python = python;
  }

  @Override
  int add(int a, int b) {
    return api.add(a, b);
  }

  @Override
  long pipelined(int window, long nanos, long maxCalls) throws Exception {
    Semaphore permits = new Semaphore(window);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    long deadline = System.nanoTime() + nanos;
    long count = 0;
    while (count < maxCalls && System.nanoTime() < deadline && failure.get() == null) {
      permits.acquire();
      int i = (int) count;
      Rpyc.async(api, x -> x.add(i, 1))
          .whenComplete(
              (v, e) -> {
                if (e != null) {
                  failure.compareAndSet(null, e);
                } else if (v != i + 1) {
                  failure.compareAndSet(null, new AssertionError("add(" + i + ", 1) = " + v));
                }
                permits.release();
              });
      count++;
    }
    if (!permits.tryAcquire(window, 60, TimeUnit.SECONDS)) {
      throw new IllegalStateException("pipelined calls did not all complete within 60 s");
    }
    if (failure.get() != null) {
      throw new IllegalStateException("a pipelined call failed", failure.get());
    }
    return count;
  }

  @Override
  int echo(byte[] data) {
    if (slowEcho(data.length)) {
      Object echoed = connection.root().withTimeout(Duration.ofMinutes(5)).call("echo", data);
      return ((byte[]) echoed).length;
    }
    return api.echo(data).length;
  }

  @Override
  boolean slowEcho(int size) {
    return python && size > (8 << 20);
  }

  @Override
  SizeCall remoteList(int n) {
    if (python) {
      // A Python list has no size(): ask len() through the dynamic handle.
      RemoteRef list = (RemoteRef) connection.root().call("items", n);
      return list::length;
    }
    List<Integer> list = api.items(n);
    return list::size;
  }

  @Override
  void newObject() {
    api.newObject();
  }

  @Override
  int exportedObjects() {
    return api.exportedObjects();
  }

  /** The server's memory report (rpyc-java servers only). */
  String memoryReport() {
    return api.memoryReport();
  }

  /** The server's per-thread-group counters (rpyc-java servers only). */
  String threadReport() {
    return api.threadReport();
  }

  @Override
  String note(String rowId) {
    if (python && rowId.equals("echo.64MiB")) {
      return "measured once: RPyC 5.3's SocketStream.write copies the unsent rest of a frame after"
          + " every 64,000-byte send (data = data[count:]), so large frames cost quadratic time"
          + " (Python to Python: 16 MiB 2.7 s, 32 MiB 12.7 s)";
    }
    if (python && rowId.startsWith("list.")) {
      return "RemoteRef.length() (__len__): a Python list has no size()";
    }
    if (python && rowId.startsWith("refs.")) {
      return "export table: len(conn._local_objects) on the Python side";
    }
    if (!python && rowId.startsWith("refs.")) {
      return "export table: the server connection's ConnectionStats.exportedObjects";
    }
    if (!python && rowId.equals("add.calls.async")) {
      return "Rpyc.async through the typed proxy";
    }
    return null;
  }

  @Override
  public void close() {
    connection.close();
  }
}
