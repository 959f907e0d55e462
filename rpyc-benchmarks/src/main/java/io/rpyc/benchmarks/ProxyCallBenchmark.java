package io.rpyc.benchmarks;

import io.rpyc.Connection;
import io.rpyc.RemoteRef;
import io.rpyc.Rpyc;
import io.rpyc.server.RpycServer;
import java.util.concurrent.TimeUnit;
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
 * One remote {@code add(int, int)} over loopback through a typed proxy and through {@link
 * RemoteRef#call}, beside the same call made locally. Target: the typed proxy adds at most 10 % to
 * {@code RemoteRef.call}.
 *
 * <pre>
 * java -jar rpyc-benchmarks/target/rpyc-benchmarks-*-all.jar ProxyCallBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ProxyCallBenchmark {
  private RpycServer server;
  private Connection connection;
  private RemoteRef ref;
  private Adder proxy;
  private Adder local;
  private int i;

  @Setup(Level.Trial)
  public void setUp() {
    server = RpycServer.builder().service(AdderService::new).build().start();
    connection = Rpyc.connect("127.0.0.1", server.port());
    ref = connection.root();
    proxy = connection.root(Adder.class);
    local = new AdderService();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    connection.close();
    server.close();
  }

  @Benchmark
  public int typedProxy() {
    return proxy.add(i++, 1);
  }

  @Benchmark
  public Object remoteRefCall() {
    return ref.call("add", i++, 1);
  }

  @Benchmark
  public int localCall() {
    return local.add(i++, 1);
  }
}
