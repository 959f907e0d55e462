package io.rpyc.it;

import io.rpyc.Connection;
import io.rpyc.Exposed;
import io.rpyc.RemoteRef;
import io.rpyc.Rpyc;
import io.rpyc.Service;
import io.rpyc.Tuple;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** The service most integration tests talk to. */
public class TestService extends Service {
  /** Released by tests to let {@link #block()} calls return. */
  public static volatile CountDownLatch release = new CountDownLatch(1);

  /** Counts {@link #block()} calls that have started. */
  public static final AtomicInteger blocked = new AtomicInteger();

  private volatile Connection connection;

  public TestService() {}

  /** Counts onDisconnect calls. */
  public static final AtomicInteger disconnected = new AtomicInteger();

  @Override
  public void onConnect(Connection connection) {
    this.connection = connection;
  }

  @Override
  public void onDisconnect(Connection connection) {
    disconnected.incrementAndGet();
  }

  @Exposed
  public int add(int a, int b) {
    return a + b;
  }

  @Exposed
  public long add(long a, long b) {
    return a + b + 1_000_000_000_000L;
  }

  @Exposed
  public double add(double a, double b) {
    return a + b;
  }

  @Exposed
  public String add(String a, String b) {
    return a + b;
  }

  @Exposed
  public String join(String separator, String... parts) {
    return String.join(separator, parts);
  }

  @Exposed
  public Object echo(Object value) {
    return value;
  }

  @Exposed
  public String typeOf(Object value) {
    return value == null ? "null" : value.getClass().getName();
  }

  @Exposed
  public byte[] reversed(byte[] data) {
    byte[] out = data.clone();
    for (int i = 0; i < out.length / 2; i++) {
      byte t = out[i];
      out[i] = out[out.length - 1 - i];
      out[out.length - 1 - i] = t;
    }
    return out;
  }

  @Exposed
  public List<String> list(String... items) {
    return new ArrayList<>(Arrays.asList(items));
  }

  @Exposed
  public List<Integer> range(int n) {
    List<Integer> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(i);
    }
    return out;
  }

  @Exposed
  public Map<String, Integer> map() {
    Map<String, Integer> m = new HashMap<>();
    m.put("one", 1);
    m.put("two", 2);
    return m;
  }

  @Exposed
  public int[] ints(int n) {
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      out[i] = i * 10;
    }
    return out;
  }

  /** {@code n} random (incompressible) bytes. */
  @Exposed
  public byte[] bytes(int n) {
    byte[] out = new byte[n];
    new java.util.Random(n).nextBytes(out);
    return out;
  }

  @Exposed
  public Tuple pair(Object a, Object b) {
    return Tuple.of(a, b);
  }

  @Exposed
  public Object newObject() {
    return new Object();
  }

  @Exposed
  public Holder holder() {
    return new Holder();
  }

  @Exposed
  public Object restrictedHolder() {
    return Rpyc.restricted(new Holder(), Set.of("value", "describe"), Set.of("value"));
  }

  @Exposed
  public Class<?> someClass() {
    return String.class;
  }

  @Exposed
  public void fail(String message) {
    throw new IllegalStateException(message);
  }

  @Exposed
  public int divide(int a, int b) {
    return a / b;
  }

  /** Blocks until a test releases it (at most 30 s). */
  @Exposed
  public boolean block() throws InterruptedException {
    blocked.incrementAndGet();
    return release.await(30, TimeUnit.SECONDS);
  }

  /** Counts {@link #slowHolder} calls that have started. */
  public static final AtomicInteger slowStarted = new AtomicInteger();

  /** A {@link Holder}, by reference, after {@code millis}: a late reply that carries a handle. */
  @Exposed
  public Holder slowHolder(int millis) throws InterruptedException {
    slowStarted.incrementAndGet();
    Thread.sleep(millis); // slow on purpose: the test lets its caller give up first
    return new Holder();
  }

  private final List<Object> kept = java.util.Collections.synchronizedList(new ArrayList<>());

  /** Holds on to {@code o} (a caller's object stays imported here) for this connection's life. */
  @Exposed
  public int keep(Object o) {
    kept.add(o);
    return kept.size();
  }

  /** Calls {@code fn(x)} in the caller's JVM. */
  @Exposed
  public Object callBack(RemoteRef fn, Object x) {
    return fn.invoke(x);
  }

  /**
   * Bounces between the JVMs: n + the result of the caller's callback with n - 1, down to 0.
   * Records the server thread at each level in {@link #serverThreads}.
   */
  @Exposed
  public int bounce(RemoteRef callback, int n) {
    serverThreads.add(Thread.currentThread().getName());
    if (n == 0) {
      return 0;
    }
    return n + ((Number) callback.invoke(n - 1)).intValue();
  }

  public static final List<String> serverThreads =
      java.util.Collections.synchronizedList(new ArrayList<>());

  /** What the authenticator said about this connection's peer, as text. */
  @Exposed
  public String credentials() {
    Object c = connection.credentials();
    if (c instanceof java.security.cert.X509Certificate) {
      return ((java.security.cert.X509Certificate) c).getSubjectX500Principal().getName();
    }
    return String.valueOf(c);
  }

  /** Counts service instances, to prove refused peers never got one. */
  public static final AtomicInteger created = new AtomicInteger();

  {
    created.incrementAndGet();
  }

  /** The size of this connection's export table, for GC tests. */
  @Exposed
  public int exportedObjects() {
    return connection.stats().exportedObjects();
  }

  public int secret() {
    return 42;
  }

  public int exposed_legacy() {
    return 7;
  }

  @Exposed("snake_case_name")
  public int camelCaseName() {
    return 9;
  }

  @Exposed public int exposedField = 5;

  public int hiddenField = 6;

  /** A plain object handed out by reference: public methods and one public field. */
  public static class Holder implements AutoCloseable {
    /** Counts constructor runs: a typed proxy must not run one. */
    public static final AtomicInteger CONSTRUCTED = new AtomicInteger();

    public int value = 1;
    public boolean closed;

    public Holder() {
      CONSTRUCTED.incrementAndGet();
    }

    public int getValue() {
      return value;
    }

    public String describe() {
      return "holder " + value;
    }

    public boolean isClosed() {
      return closed;
    }

    public int twice(int x) {
      return 2 * x;
    }

    public static int staticHelper() {
      return 99;
    }

    @Override
    public void close() {
      closed = true;
    }

    @Override
    public String toString() {
      return "Holder(" + value + ")";
    }
  }
}
