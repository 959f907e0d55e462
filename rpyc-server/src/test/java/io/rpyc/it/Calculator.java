package io.rpyc.it;

import io.rpyc.Exposed;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.function.IntUnaryOperator;

/**
 * The API shared by {@link TypedService} (which implements it) and its clients (which proxy it).
 * {@code @Exposed} on the interface exposes the implementations.
 */
public interface Calculator {
  @Exposed
  int add(int a, int b);

  @Exposed
  long add(long a, long b);

  @Exposed
  String add(String a, String b);

  @Exposed
  String kind(int x);

  @Exposed
  String kind(Integer x);

  @Exposed
  String kind(long x);

  @Exposed
  String kind(Object x);

  @Exposed
  String join(String separator, String... parts);

  @Exposed
  <T extends Comparable<T>> T max(List<T> items);

  /** The service overrides it: a proxy must run the remote override, not this body. */
  @Exposed
  default int addThree(int a, int b, int c) {
    return add(add(a, b), c);
  }

  @Exposed
  int[] squares(int n);

  @Exposed
  int sum(int[] values);

  @Exposed
  String[][] grid(int n);

  @Exposed
  List<String> names();

  @Exposed
  Map<String, Integer> ages();

  @Exposed
  Iterator<String> letters();

  @Exposed
  List<Integer> range(int n);

  @Exposed
  Runnable task();

  @Exposed
  Callable<String> callable();

  @Exposed
  int taskRuns();

  @Exposed
  int applyTwice(IntUnaryOperator f, int x);

  @Exposed
  String greet(Function<String, String> formatter, String name);

  @Exposed
  void register(Listener listener);

  @Exposed
  int fire(String event);

  @Exposed
  Object anything();

  /** A new, separate calculator (not the root). */
  @Exposed
  Object another();

  @Exposed
  TestService.Holder holder();

  @Exposed
  int slow(int millis);

  @Exposed
  void fail(String message);

  @Exposed
  void record(String event);

  @Exposed
  String lastRecorded();

  /** A callback with two methods, one of them a default. */
  interface Listener {
    void onEvent(String event);

    default String name() {
      return "listener";
    }
  }
}
