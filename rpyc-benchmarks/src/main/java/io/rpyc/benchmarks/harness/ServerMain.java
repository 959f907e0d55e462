package io.rpyc.benchmarks.harness;

import io.rpyc.server.RpycServer;
import java.io.IOException;
import java.io.InputStream;
import java.util.HexFormat;

/**
 * A benchmark server in its own process: {@code ServerMain rpyc|rmi|tcp <reply-hex>}. Prints {@code
 * READY <address>} (a port, or for RMI the stub as base64) once it serves, and exits when its
 * standard input closes, so it never outlives the harness that started it.
 */
public final class ServerMain {
  private ServerMain() {}

  /** Starts the server named by {@code args[0]}. */
  public static void main(String[] args) throws Exception {
    String address;
    switch (args[0]) {
      case "rpyc":
        RpycServer.Builder rpyc = RpycServer.builder().service(BenchService::new);
        if (Boolean.getBoolean("rpyc.bench.directExecutor")) { // --rpyc-server-opt, see docs
          rpyc.directExecutor();
        }
        address = String.valueOf(rpyc.build().start().port());
        break;
      case "rmi":
        System.setProperty("java.rmi.server.hostname", "127.0.0.1");
        address = RmiBench.exportStub();
        break;
      case "tcp":
        address = String.valueOf(RawTcp.serve(HexFormat.of().parseHex(args[1])));
        break;
      default:
        throw new IllegalArgumentException("unknown server kind: " + args[0]);
    }
    System.out.println("READY " + address);
    System.out.flush();
    drain(System.in);
    System.exit(0);
  }

  private static void drain(InputStream in) {
    byte[] buffer = new byte[256];
    try {
      while (in.read(buffer) >= 0) {
        // nothing to read: the harness keeps the pipe open while it needs the server
      }
    } catch (IOException e) {
      // the harness is gone
    }
  }
}
