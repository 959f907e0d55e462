package io.rpyc.benchmarks.harness;

import io.rpyc.Exposed;
import java.util.List;

/**
 * The operations the side-by-side harness measures, as the rpyc-java client sees them. Served by
 * {@link BenchService} (JVM) and by {@code bench_server.py} (Python RPyC, same names with {@code
 * exposed_}); {@link RmiBench.Api} is the same interface for Java RMI.
 */
public interface BenchApi {
  /** Adds two ints. */
  @Exposed
  int add(int a, int b);

  /** Returns its argument. */
  @Exposed
  byte[] echo(byte[] data);

  /** A new list {@code [0, n)}, returned by reference. */
  @Exposed
  List<Integer> items(int n);

  /** A new object, returned by reference (one new entry in the owner's export table). */
  @Exposed
  Object newObject();

  /** The size of the owner's export table for this connection (root included). */
  @Exposed
  int exportedObjects();

  /**
   * The server process's memory after a full GC, as {@code key=value} pairs separated by commas:
   * {@code heap} (used heap bytes), {@code direct} (Netty's pooled direct memory), {@code rss}
   * (resident set, bytes), {@code threads}, {@code connections}. For the scale mode.
   */
  @Exposed
  String memoryReport();

  /**
   * Per-thread-group counters of the server process (allocated bytes, CPU time, voluntary context
   * switches), for the profile mode.
   */
  @Exposed
  String threadReport();
}
