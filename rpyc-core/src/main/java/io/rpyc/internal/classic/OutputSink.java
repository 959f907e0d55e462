package io.rpyc.internal.classic;

import io.rpyc.Exposed;
import java.io.PrintStream;
import java.util.Objects;

/**
 * Receives what a classic server prints for this connection while its standard streams are
 * redirected: the server calls {@link #write} with the text (a Python file object offers the same
 * two methods). Thread-safe, as {@link PrintStream} is.
 */
public final class OutputSink {
  private final PrintStream target;

  OutputSink(PrintStream target) {
    this.target = Objects.requireNonNull(target, "target");
  }

  /** Prints {@code text} as it is. */
  @Exposed
  public void write(String text) {
    target.print(text);
    target.flush();
  }

  /** Flushes the target. */
  @Exposed
  public void flush() {
    target.flush();
  }

  @Override
  public String toString() {
    return "OutputSink[" + target + "]";
  }
}
