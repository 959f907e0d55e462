package io.rpyc.shell;

import io.rpyc.ClassicConnection;
import io.rpyc.internal.classic.InteractiveShell;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * {@link ClassicConnection#interact()}: a {@link RemoteShell} on this process's terminal (found by
 * core through {@link java.util.ServiceLoader}).
 */
public final class ShellInteractor implements InteractiveShell {

  /** Creates the provider; {@link java.util.ServiceLoader} does. */
  public ShellInteractor() {}

  @Override
  public void interact(ClassicConnection connection) {
    try (RpycShellCommand.SystemTerminal system = RpycShellCommand.systemTerminal()) {
      RemoteShell.builder(system.terminal)
          .connection(connection, String.valueOf(connection.remoteAddress()))
          .connector(
              io.rpyc.Rpyc.classic().withConfig(connection.config())::connect,
              io.rpyc.Rpyc.CLASSIC_PORT)
          .historyFile(RpycShellCommand.DEFAULT_HISTORY)
          .build()
          .run();
    } catch (IOException e) {
      throw new UncheckedIOException("opening the terminal failed", e);
    }
  }
}
