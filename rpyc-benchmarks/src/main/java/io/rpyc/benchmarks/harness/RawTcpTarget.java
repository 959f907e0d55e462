package io.rpyc.benchmarks.harness;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The floor: the same bytes as an rpyc-java {@code add} over blocking sockets. A lone caller reads
 * its own answer; several threads share one socket through {@link RawTcp.SharedClient}. Spinning,
 * both ends poll the socket before they block, as rpyc-java does by default ({@code
 * RpycConfig.spinWait}): the floor of a synchronous call without thread wake-ups; it measures the
 * single-thread {@code add} rows only.
 */
final class RawTcpTarget extends Target {
  private final int port;
  private final byte[] request;
  private final boolean spinning;
  private final RawTcp.Client ping;
  private final RawTcp.Client echo;
  private final RawTcp.SharedClient shared;

  RawTcpTarget(int port, byte[] request, boolean spinning) throws IOException {
    super(
        spinning ? SideBySide.RAW_SPIN : SideBySide.RAW,
        spinning ? "raw TCP, spinning" : "raw TCP (floor)");
    this.port = port;
    this.request = request;
    this.spinning = spinning;
    RawTcp.Client ping = null;
    RawTcp.Client echo = null;
    try {
      ping = new RawTcp.Client(port, spinning ? RawTcp.MODE_SPIN : RawTcp.MODE_PING);
      echo = spinning ? null : new RawTcp.Client(port, RawTcp.MODE_ECHO);
      this.shared = spinning ? null : new RawTcp.SharedClient(port);
    } catch (IOException | RuntimeException e) {
      closeAll(e, ping, echo);
      throw e;
    }
    this.ping = ping;
    this.echo = echo;
  }

  @Override
  boolean sharesConnection() {
    return !spinning; // a spinning caller per thread on two CPUs would measure the scheduler
  }

  @Override
  int add(int a, int b, int threads) throws IOException {
    if (threads == 1) {
      return add(a, b);
    }
    shared.roundTrip(request);
    return a + b;
  }

  @Override
  int add(int a, int b) throws IOException {
    ping.roundTrip(request);
    return a + b; // the reply is the captured bytes of a real one
  }

  @Override
  long pipelined(int window, long nanos, long maxCalls) throws Exception {
    if (spinning) {
      throw new UnsupportedOperationException(); // nobody waits: the same as the floor's
    }
    try (RawTcp.Client client = new RawTcp.Client(port, RawTcp.MODE_PING)) {
      return client.pipelined(request, window, nanos, maxCalls);
    }
  }

  @Override
  int echo(byte[] data) throws IOException {
    if (spinning) {
      throw new UnsupportedOperationException(); // milliseconds: nothing to gain by spinning
    }
    return echo.echo(data);
  }

  @Override
  String note(String rowId) {
    if (rowId.equals("add.calls.async")) {
      return "a writer and a reader thread on one socket, flushing a quarter window at a time";
    }
    if (rowId.equals("add.calls.8threads") || rowId.equals("add.calls.64threads")) {
      return "the threads share one socket: each writes its frame under a lock; the one holding"
          + " the read lock reads and wakes the others' callers until its own answer came";
    }
    if (rowId.startsWith("add.")) {
      return "the captured request and reply frames of an rpyc-java add, no decoding"
          + (spinning ? "; both ends poll for up to 50 µs before they block" : "");
    }
    return null;
  }

  @Override
  public void close() {
    IOException failure = new IOException("closing the floor's sockets failed");
    closeAll(failure, ping, echo, shared);
    if (failure.getSuppressed().length > 0) {
      throw new UncheckedIOException(failure);
    }
  }

  /** Closes each of {@code sockets} that is not {@code null}, adding failures to {@code into}. */
  private static void closeAll(Exception into, AutoCloseable... sockets) {
    for (AutoCloseable socket : sockets) {
      if (socket == null) {
        continue;
      }
      try {
        socket.close();
      } catch (Exception e) {
        into.addSuppressed(e);
      }
    }
  }
}
