package io.rpyc.benchmarks.harness;

import io.netty.buffer.PooledByteBufAllocator;
import io.rpyc.Connection;
import io.rpyc.Service;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Serves {@link BenchApi}; one instance per connection. */
public class BenchService extends Service implements BenchApi {
  /** Connections open right now in this process (for the scale mode's report). */
  static final AtomicInteger CONNECTIONS = new AtomicInteger();

  private volatile Connection connection;

  /** Creates the service. */
  public BenchService() {}

  @Override
  public void onConnect(Connection connection) {
    this.connection = connection;
    CONNECTIONS.incrementAndGet();
  }

  @Override
  public void onDisconnect(Connection connection) {
    CONNECTIONS.decrementAndGet();
  }

  @Override
  public int add(int a, int b) {
    return a + b;
  }

  @Override
  public byte[] echo(byte[] data) {
    return data;
  }

  @Override
  public List<Integer> items(int n) {
    List<Integer> list = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      list.add(i);
    }
    return list;
  }

  @Override
  public Object newObject() {
    return new Token();
  }

  @Override
  public int exportedObjects() {
    return connection.stats().exportedObjects();
  }

  @Override
  public String memoryReport() {
    return memoryReport(CONNECTIONS.get());
  }

  @Override
  public String threadReport() {
    return ThreadStats.format(ThreadStats.snapshot());
  }

  /** This process's memory after a full GC; see {@link BenchApi#memoryReport()}. */
  static String memoryReport(int connections) {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 4; i++) {
      System.gc();
      used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
    }
    return "heap="
        + used
        + ",direct="
        + PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory()
        + ",rss="
        + residentSetBytes()
        + ",threads="
        + Thread.activeCount()
        + ",connections="
        + connections;
  }

  /** VmRSS of this process in bytes, or -1 where /proc is not there. */
  static long residentSetBytes() {
    try {
      for (String line :
          Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.US_ASCII)) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return -1;
  }

  /** What {@link #newObject()} returns: an object with nothing to expose. */
  public static final class Token {
    Token() {}
  }
}
