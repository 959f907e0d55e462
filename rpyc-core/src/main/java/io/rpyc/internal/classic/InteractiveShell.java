package io.rpyc.internal.classic;

import io.rpyc.ClassicConnection;
import java.util.Iterator;
import java.util.ServiceLoader;

/**
 * The interactive shell behind {@link ClassicConnection#interact()}; found with {@link
 * ServiceLoader} (listed in {@code META-INF/services/io.rpyc.internal.classic.InteractiveShell}).
 * This is how {@code rpyc-shell} adds its JLine REPL without core depending on JLine.
 * Implementations need a public no-argument constructor.
 */
public interface InteractiveShell {

  /**
   * Runs the read-eval-print loop on this process's terminal against {@code connection} until the
   * user leaves it ({@code /exit} or end of input). Does not close the connection.
   */
  void interact(ClassicConnection connection);

  /**
   * The first shell on the class path (this library's class loader first, then the thread's).
   *
   * @throws IllegalStateException naming the missing module if there is none
   */
  static InteractiveShell find() {
    Iterator<InteractiveShell> found =
        ServiceLoader.load(InteractiveShell.class, InteractiveShell.class.getClassLoader())
            .iterator();
    if (!found.hasNext()) {
      ClassLoader context = Thread.currentThread().getContextClassLoader();
      if (context != null) {
        found = ServiceLoader.load(InteractiveShell.class, context).iterator();
      }
    }
    if (!found.hasNext()) {
      throw new IllegalStateException(
          "ClassicConnection.interact() needs the io.rpyc:rpyc-shell module on the class path"
              + " (it brings the JLine shell); or run bin/rpyc-shell host[:port]");
    }
    return found.next();
  }
}
