package io.rpyc.server.demo;

import io.rpyc.Connection;
import io.rpyc.RemoteInvocationException;
import io.rpyc.RemoteRef;
import io.rpyc.Rpyc;
import java.util.function.IntConsumer;

/** {@code bin/demo}'s client: talks to a {@link CalculatorService} and narrates what it does. */
public final class DemoClient {
  private DemoClient() {}

  /** Connects to {@code host port} and runs the demo. */
  public static void main(String[] args) {
    String host = args.length > 0 ? args[0] : "localhost";
    int port = args.length > 1 ? Integer.parseInt(args[1]) : 18861;
    try (Connection conn = Rpyc.connect(host, port)) {
      System.out.println(
          "connected: " + conn + (conn.isJavaPeer() ? " (rpyc-java extension on)" : ""));
      RemoteRef calc = conn.root();
      System.out.println("service name:        " + calc.call("get_service_name"));
      System.out.println("server java version: " + calc.call("java_version"));
      System.out.println("add(1, 2)          = " + calc.call("add", 1, 2));
      System.out.println("add(1.5, 2.25)     = " + calc.call("add", 1.5, 2.25));
      RemoteRef squares = (RemoteRef) calc.call("squares", 5);
      System.out.println(
          "squares(5)         = "
              + squares
              + " (a remote "
              + squares.remoteClassName()
              + ", length "
              + squares.length()
              + ")");
      StringBuilder seen = new StringBuilder();
      IntConsumer callback = i -> seen.append(i).append(' ');
      calc.call("countdown", 3, callback);
      System.out.println(
          "countdown callback = "
              + seen.toString().trim()
              + " (run in this JVM, called from the server)");
      try {
        calc.call("divide", 1, 0);
      } catch (RemoteInvocationException e) {
        System.out.println("divide(1, 0)       -> " + e.getMessage());
      }
      int n = 20_000;
      for (int i = 0; i < n; i++) {
        calc.call("add", i, 1); // warm-up: the first calls run interpreted, on both sides
      }
      long start = System.nanoTime();
      for (int i = 0; i < n; i++) {
        calc.call("add", i, 1);
      }
      long micros = (System.nanoTime() - start) / 1000 / n;
      System.out.println(
          n
              + " calls of add(): "
              + micros
              + " µs per call, one thread (after "
              + n
              + " to warm up)");
    }
  }
}
