package io.rpyc.benchmarks.harness;

import java.io.IOException;
import java.io.UncheckedIOException;

/** The floor: the same bytes as an rpyc-java {@code add} over blocking sockets. */
final class RawTcpTarget extends Target {
  private final int port;
  private final byte[] request;
  private final RawTcp.Client ping;
  private final RawTcp.Client echo;

  RawTcpTarget(int port, byte[] request) throws IOException {
    super("raw-tcp", "raw TCP (floor)");
    this.port = port;
    this.request = request;
    this.ping = new RawTcp.Client(port, RawTcp.MODE_PING);
    this.echo = new RawTcp.Client(port, RawTcp.MODE_ECHO);
  }

  @Override
  boolean sharesConnection() {
    return false;
  }

  @Override
  int add(int a, int b) throws IOException {
    ping.roundTrip(request);
    return a + b; // the reply is the captured bytes of a real one
  }

  @Override
  long pipelined(int window, long nanos, long maxCalls) throws Exception {
    try (RawTcp.Client client = new RawTcp.Client(port, RawTcp.MODE_PING)) {
      return client.pipelined(request, window, nanos, maxCalls);
    }
  }

  @Override
  int echo(byte[] data) throws IOException {
    return echo.echo(data);
  }

  @Override
  String note(String rowId) {
    if (rowId.equals("add.calls.async")) {
      return "a writer and a reader thread on one socket, flushing a quarter window at a time";
    }
    if (rowId.startsWith("add.")) {
      return "the captured request and reply frames of an rpyc-java add, no decoding";
    }
    return null;
  }

  @Override
  public void close() {
    try {
      ping.close();
      echo.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
