package io.rpyc.benchmarks;

import io.rpyc.Connection;
import io.rpyc.RemoteRef;
import io.rpyc.Rpyc;
import io.rpyc.server.RpycServer;
import java.rmi.NoSuchObjectException;
import java.rmi.Remote;
import java.rmi.RemoteException;
import java.rmi.server.UnicastRemoteObject;
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
 * RemoteRef#call}, beside the same call made locally and through Java RMI (one stub, server in the
 * same JVM, as rpyc-java's here). Target: the typed proxy adds at most 10 % to {@code
 * RemoteRef.call}.
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
  private RmiAdder rmiImpl;
  private RmiAdder rmi;
  private int i;

  /** {@link Adder} for RMI. */
  public interface RmiAdder extends Remote {
    /** Adds two ints. */
    int add(int a, int b) throws RemoteException;
  }

  private static final class RmiAdderImpl implements RmiAdder {
    @Override
    public int add(int a, int b) {
      return a + b;
    }
  }

  @Setup(Level.Trial)
  public void setUp() {
    server = RpycServer.builder().service(AdderService::new).build().start();
    connection = Rpyc.connect("127.0.0.1", server.port());
    ref = connection.root();
    proxy = connection.root(Adder.class);
    local = new AdderService();
    try {
      rmiImpl = new RmiAdderImpl();
      rmi = (RmiAdder) UnicastRemoteObject.exportObject(rmiImpl, 0);
    } catch (RemoteException e) {
      throw new IllegalStateException(e);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    connection.close();
    server.close();
    try {
      UnicastRemoteObject.unexportObject(rmiImpl, true);
    } catch (NoSuchObjectException e) {
      // already gone
    }
  }

  @Benchmark
  public int typedProxy() {
    return proxy.add(i++, 1);
  }

  @Benchmark
  public Object remoteRefCall() {
    return ref.call("add", i++, 1);
  }

  /** Baseline: the same call through Java RMI. */
  @Benchmark
  public int rmiCall() throws RemoteException {
    return rmi.add(i++, 1);
  }

  @Benchmark
  public int localCall() {
    return local.add(i++, 1);
  }
}
