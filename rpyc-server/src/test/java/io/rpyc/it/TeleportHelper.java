package io.rpyc.it;

import java.util.List;

/**
 * Code of the test's own that teleported lambdas call: it exists only on the client's class path,
 * so the server fetches it from the client when the lambda first needs it.
 */
public final class TeleportHelper {
  private TeleportHelper() {}

  /** Where the code runs, and a computation with the value the lambda captured. */
  public static String describe(int captured) {
    return "pid=" + ProcessHandle.current().pid() + " value=" + (captured + 1);
  }

  /** Uses a list the lambda captured (a reference to the client's list). */
  public static int total(List<Integer> numbers) {
    int sum = 0;
    for (int n : numbers) {
      sum += n;
    }
    return sum;
  }

  /** Fails, so that the remote stack trace shows this method. */
  public static int fail(String why) {
    throw new IllegalStateException("teleported code failed: " + why);
  }

  /** A record teleported as an instance: rebuilt through its canonical constructor. */
  public record Greeting(String name, int times) implements java.util.concurrent.Callable<String> {
    @Override
    public String call() {
      return ("hello " + name + " ").repeat(times).strip();
    }
  }
}
