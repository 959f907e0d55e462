package io.rpyc.it;

import io.rpyc.Service;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.IntUnaryOperator;

/** Implements {@link Calculator}; one instance per connection. */
public class TypedService extends Service implements Calculator {
  /** Counted down by {@link #record}, for oneway tests. */
  public static volatile CountDownLatch recorded = new CountDownLatch(1);

  private final List<String> names = new ArrayList<>(List.of("ann", "bob"));
  private final AtomicInteger taskRuns = new AtomicInteger();
  private final List<Listener> listeners = new ArrayList<>();
  private volatile String last;

  public TypedService() {}

  @Override
  public int add(int a, int b) {
    return a + b;
  }

  @Override
  public long add(long a, long b) {
    return a + b;
  }

  @Override
  public String add(String a, String b) {
    return a + b;
  }

  @Override
  public String kind(int x) {
    return "int";
  }

  @Override
  public String kind(Integer x) {
    return "Integer";
  }

  @Override
  public String kind(long x) {
    return "long";
  }

  @Override
  public String kind(Object x) {
    return "Object";
  }

  @Override
  public String join(String separator, String... parts) {
    return String.join(separator, parts);
  }

  @Override
  public <T extends Comparable<T>> T max(List<T> items) {
    T best = null;
    for (T item : items) {
      if (best == null || item.compareTo(best) > 0) {
        best = item;
      }
    }
    return best;
  }

  @Override
  public int addThree(int a, int b, int c) {
    return a + b + c + 1000;
  }

  @Override
  public int[] squares(int n) {
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      out[i] = (i + 1) * (i + 1);
    }
    return out;
  }

  @Override
  public int sum(int[] values) {
    return Arrays.stream(values).sum();
  }

  @Override
  public String[][] grid(int n) {
    String[][] out = new String[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        out[i][j] = i + "," + j;
      }
    }
    return out;
  }

  @Override
  public List<String> names() {
    return names;
  }

  @Override
  public Map<String, Integer> ages() {
    Map<String, Integer> m = new LinkedHashMap<>();
    m.put("ann", 31);
    m.put("bob", 42);
    return m;
  }

  @Override
  public Iterator<String> letters() {
    return List.of("a", "b", "c").iterator();
  }

  @Override
  public List<Integer> range(int n) {
    List<Integer> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(i);
    }
    return out;
  }

  @Override
  public Runnable task() {
    return taskRuns::incrementAndGet;
  }

  @Override
  public Callable<String> callable() {
    return () -> "called on the server";
  }

  @Override
  public int taskRuns() {
    return taskRuns.get();
  }

  @Override
  public int applyTwice(IntUnaryOperator f, int x) {
    return f.applyAsInt(f.applyAsInt(x));
  }

  @Override
  public String greet(Function<String, String> formatter, String name) {
    return formatter.apply(name);
  }

  @Override
  public synchronized void register(Listener listener) {
    listeners.add(listener);
  }

  @Override
  public synchronized int fire(String event) {
    int n = 0;
    for (Listener l : listeners) {
      l.onEvent(event + " for " + l.name());
      n++;
    }
    return n;
  }

  @Override
  public Object anything() {
    return new ArrayList<>(List.of("x", "y"));
  }

  @Override
  public Object another() {
    return new TypedService();
  }

  @Override
  public TestService.Holder holder() {
    return new TestService.Holder();
  }

  @Override
  public int slow(int millis) {
    try {
      Thread.sleep(millis); // the service is slow on purpose; nothing is awaited with it
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
    return millis;
  }

  @Override
  public void fail(String message) {
    throw new IllegalArgumentException(message);
  }

  @Override
  public void record(String event) {
    last = event;
    recorded.countDown();
  }

  @Override
  public String lastRecorded() {
    return last;
  }
}
