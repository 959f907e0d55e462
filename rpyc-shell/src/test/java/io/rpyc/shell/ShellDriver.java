package io.rpyc.shell;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.jline.terminal.Attributes;
import org.jline.terminal.Terminal;
import org.jline.terminal.impl.ExternalTerminal;

/**
 * A {@link RemoteShell} on a JLine terminal over pipes ({@link ExternalTerminal}, type ansi): the
 * test types keys, Ctrl-C included (the terminal's line discipline turns it into SIGINT, as a real
 * terminal does), and reads the screen as text, with the cursor movements and colours taken out.
 */
final class ShellDriver implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(30);

  private final Keys keys = new Keys();
  private final Screen screen = new Screen();
  private final Terminal terminal;
  private final Thread thread;
  private volatile Throwable failure;
  private int mark;

  ShellDriver(UnaryOperator<RemoteShell.Builder> setup) throws IOException {
    terminal = new ExternalTerminal("test", "ansi", keys, screen, StandardCharsets.UTF_8);
    Attributes tty = terminal.getAttributes(); // a terminal's defaults: ^C is SIGINT
    tty.setLocalFlag(Attributes.LocalFlag.ISIG, true);
    tty.setControlChar(Attributes.ControlChar.VINTR, 3);
    terminal.setAttributes(tty);
    RemoteShell shell = setup.apply(RemoteShell.builder(terminal)).build();
    thread =
        new Thread(
            () -> {
              try {
                shell.run();
              } catch (Throwable t) {
                failure = t;
              }
            },
            "remote-shell");
    thread.setDaemon(true);
    thread.start();
  }

  static ShellDriver connectedTo(int port, Path history) throws IOException {
    return new ShellDriver(b -> b.connectTo("127.0.0.1:" + port).historyFile(history));
  }

  /** Types {@code text} (use {@code \n} for Enter, {@code \t} for Tab, {@code \u0003} for ^C). */
  void type(String text) {
    keys.type(text);
  }

  /** Types a line and waits for {@code expected} on the screen after what was seen so far. */
  String enter(String line, String expected) {
    type(line + "\n");
    return await(expected);
  }

  /**
   * Waits until {@code expected} appears on the screen after the last awaited text, then returns
   * the screen from there.
   */
  String await(String expected) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (screen.text().indexOf(expected, mark) < 0 && thread.isAlive()) {
      if (System.nanoTime() > deadline) {
        fail("the shell did not print '" + expected + "'; the screen since:\n" + since());
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        fail("interrupted");
      }
    }
    String text = screen.text();
    int at = text.indexOf(expected, mark);
    if (at < 0) {
      fail("the shell ended (" + failure + ") without printing '" + expected + "':\n" + since());
    }
    String since = text.substring(mark);
    mark = at + expected.length();
    return since;
  }

  private String since() {
    return screen.text().substring(mark);
  }

  /** Everything on the screen so far. */
  String screen() {
    return screen.text();
  }

  /** Ends the input and waits for the shell to return. */
  void awaitExit() throws InterruptedException {
    thread.join(WAIT.toMillis());
    assertTrue(!thread.isAlive(), () -> "the shell returned; screen:\n" + screen.text());
    if (failure != null) {
      throw new AssertionError("the shell failed", failure);
    }
  }

  @Override
  public void close() throws IOException {
    keys.end();
    try {
      thread.join(WAIT.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    terminal.close();
  }

  /** The keyboard: bytes typed by the test, end of input when closed. */
  private static final class Keys extends InputStream {
    private final BlockingQueue<Integer> bytes = new LinkedBlockingQueue<>();

    void type(String text) {
      for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
        bytes.add(b & 0xff);
      }
    }

    void end() {
      bytes.add(-1);
    }

    @Override
    public int read() throws IOException {
      try {
        int b = bytes.take();
        if (b < 0) {
          bytes.add(-1); // stays at the end
        }
        return b;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted");
      }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      int first = read();
      if (first < 0) {
        return -1;
      }
      b[off] = (byte) first;
      int n = 1;
      for (Integer next = bytes.peek(); n < len && next != null && next >= 0; next = bytes.peek()) {
        b[off + n++] = (byte) (int) bytes.poll();
      }
      return n;
    }
  }

  /** The screen: what the terminal prints, as text. */
  private static final class Screen extends OutputStream {
    private static final Pattern ESCAPES =
        Pattern.compile(
            "\u001b\\[[0-9;?]*[ -/]*[@-~]|\u001b[()][0-9A-Za-z]|\u001b[=>78]|\r|\u0007");
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    @Override
    public synchronized void write(int b) {
      bytes.write(b);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      bytes.write(b, off, len);
    }

    /** The text without escape sequences (cursor movements, modes, colours) or carriage returns. */
    synchronized String text() {
      return ESCAPES.matcher(bytes.toString(StandardCharsets.UTF_8)).replaceAll("");
    }
  }
}
