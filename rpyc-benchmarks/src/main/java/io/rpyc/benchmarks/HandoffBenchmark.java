package io.rpyc.benchmarks;

import io.netty.channel.EventLoopGroup;
import io.rpyc.internal.transport.Transport;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What one thread hop costs on this machine: a task handed to another thread that wakes the caller
 * again (two hops), through a cached pool as rpyc-java's workers are, and through a Netty event
 * loop as a write is; beside a plain method call. A synchronous rpyc-java call makes six hops
 * (caller, client I/O, server I/O, worker, server I/O, client I/O, caller), so this is the price of
 * the design before any byte is encoded.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HandoffBenchmark {
  private ExecutorService workers;
  private EventLoopGroup loop;
  private volatile boolean done;

  @Setup(Level.Trial)
  public void setUp() {
    workers = Executors.newCachedThreadPool(Transport.daemonThreads("bench-worker"));
    loop = Transport.newEventLoopGroup(1, "bench-io");
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    workers.shutdown();
    loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }

  /** Baseline: no hop. */
  @Benchmark
  public boolean direct() {
    done = false;
    Runnable task = () -> done = true;
    task.run();
    return done;
  }

  /** To a cached-pool worker and back (park/unpark), as a request to a worker. */
  @Benchmark
  public boolean workerRoundTrip() {
    return roundTrip(workers::execute);
  }

  /** To a Netty event loop (epoll where available) and back, as a write to the I/O thread. */
  @Benchmark
  public boolean eventLoopRoundTrip() {
    return roundTrip(loop.next()::execute);
  }

  private boolean roundTrip(java.util.concurrent.Executor executor) {
    done = false;
    Thread caller = Thread.currentThread();
    executor.execute(
        () -> {
          done = true;
          LockSupport.unpark(caller);
        });
    while (!done) {
      LockSupport.park(this);
    }
    return done;
  }
}
