package io.rpyc.server.demo;

import io.rpyc.Exposed;
import io.rpyc.RemoteRef;
import io.rpyc.Service;
import io.rpyc.ServiceAliases;
import java.util.ArrayList;
import java.util.List;

/** The demo service: arithmetic, a by-reference list, and a callback. */
@ServiceAliases({"CALCULATOR", "CALC"})
public class CalculatorService extends Service {
  /** Creates the service (one per connection). */
  public CalculatorService() {}

  /** Adds two ints. */
  @Exposed
  public int add(int a, int b) {
    return a + b;
  }

  /** Adds two doubles. */
  @Exposed
  public double add(double a, double b) {
    return a + b;
  }

  /** Divides; throws {@link ArithmeticException} for a zero divisor, as Java does. */
  @Exposed
  public int divide(int a, int b) {
    return a / b;
  }

  /** The first {@code n} squares, as a remote {@code java.util.List}. */
  @Exposed
  public List<Integer> squares(int n) {
    List<Integer> out = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      out.add(i * i);
    }
    return out;
  }

  /** Calls {@code callback} (a remote function of the caller) with n, n-1, ..., 1. */
  @Exposed
  public int countdown(int n, RemoteRef callback) {
    for (int i = n; i > 0; i--) {
      callback.invoke(i);
    }
    return n;
  }

  /** The server's Java version. */
  @Exposed("java_version")
  public String javaVersion() {
    return System.getProperty("java.version");
  }
}
