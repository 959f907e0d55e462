package io.rpyc.server.classic;

import io.rpyc.RemoteRef;
import io.rpyc.RpycException;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bytes a redirected connection prints (UTF-8, from the redirection's {@link PrintStream}),
 * sent to the client's sink as text on each flush (every line, as the print stream flushes
 * automatically) or when 8 KiB have piled up. A multi-byte character split across flushes is held
 * back until complete. If the client cannot be reached, the output goes to the server's console and
 * the redirection ends. Thread-safe: one connection's threads take turns.
 */
final class SinkOutputStream extends OutputStream {
  private static final Logger log = LoggerFactory.getLogger(SinkOutputStream.class);
  private static final int THRESHOLD = 8192;

  private final StdioRouter router;
  private final StdioRouter.Redirection owner;
  private final RemoteRef sink;
  private final PrintStream fallback;
  private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
  private final CharsetDecoder decoder =
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPLACE)
          .onUnmappableCharacter(CodingErrorAction.REPLACE);
  private boolean broken;

  SinkOutputStream(
      StdioRouter router, StdioRouter.Redirection owner, RemoteRef sink, PrintStream fallback) {
    this.router = router;
    this.owner = owner;
    this.sink = sink;
    this.fallback = fallback;
  }

  @Override
  public synchronized void write(int b) {
    pending.write(b);
    if (pending.size() >= THRESHOLD) {
      flush();
    }
  }

  @Override
  public synchronized void write(byte[] b, int off, int len) {
    pending.write(b, off, len);
    if (pending.size() >= THRESHOLD) {
      flush();
    }
  }

  @Override
  public synchronized void flush() {
    if (pending.size() == 0) {
      return;
    }
    ByteBuffer in = ByteBuffer.wrap(pending.toByteArray());
    CharBuffer out = CharBuffer.allocate(in.remaining());
    decoder.decode(in, out, false);
    pending.reset();
    pending.write(in.array(), in.position(), in.remaining()); // an incomplete character, if any
    out.flip();
    if (out.hasRemaining()) {
      send(out.toString());
    }
  }

  private void send(String text) {
    if (broken || !router.enterSending()) {
      fallback.print(text); // also: printing while sending (a log line) stays local
      return;
    }
    try {
      sink.call("write", text);
    } catch (RpycException e) {
      if (Thread.currentThread().isInterrupted()) {
        return; // the printing snippet is being stopped: this text may be lost, the sink is fine
      }
      broken = true;
      router.dropBroken(owner);
      log.warn("stdio redirection to {} ended: {}", sink.connection(), e.toString());
      fallback.print(text);
    } finally {
      router.exitSending();
    }
  }
}
