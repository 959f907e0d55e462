package io.rpyc.benchmarks.harness;

import io.rpyc.Connection;
import io.rpyc.Rpyc;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * Records the frames of one real rpyc-java {@code add(1, 2)} by relaying a connection to an
 * rpyc-java server, so that the raw TCP floor sends exactly the bytes rpyc-java does.
 */
final class FrameCapture {
  private final List<byte[]> toServer = new ArrayList<>();
  private final List<byte[]> toClient = new ArrayList<>();

  private FrameCapture() {}

  /** Returns {@code {request, reply}}: the complete frames of one {@code add} call. */
  static byte[][] captureAdd(int serverPort) throws IOException, InterruptedException {
    FrameCapture capture = new FrameCapture();
    try (ServerSocket relay = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Thread acceptor =
          new Thread(
              () -> {
                try {
                  Socket client = relay.accept();
                  Socket server = new Socket(InetAddress.getLoopbackAddress(), serverPort);
                  client.setTcpNoDelay(true);
                  server.setTcpNoDelay(true);
                  capture.pump(client, server, capture.toServer);
                  capture.pump(server, client, capture.toClient);
                } catch (IOException e) {
                  // the connect below fails and says so
                }
              },
              "capture-accept");
      acceptor.start();
      try (Connection conn = Rpyc.connect("127.0.0.1", relay.getLocalPort())) {
        BenchApi api = conn.root(BenchApi.class);
        api.add(1, 2); // warm: proxy class, method plan
        synchronized (capture) {
          capture.toServer.clear();
          capture.toClient.clear();
        }
        if (api.add(1, 2) != 3) {
          throw new IllegalStateException("add(1, 2) != 3 through the relay");
        }
        synchronized (capture) {
          if (capture.toServer.size() != 1 || capture.toClient.size() != 1) {
            throw new IllegalStateException(
                "expected one frame each way for add, got "
                    + capture.toServer.size()
                    + " and "
                    + capture.toClient.size());
          }
          return new byte[][] {capture.toServer.get(0), capture.toClient.get(0)};
        }
      } finally {
        acceptor.join(5000);
      }
    }
  }

  private void pump(Socket from, Socket to, List<byte[]> frames) {
    Thread t =
        new Thread(
            () -> {
              try (from;
                  to) {
                DataInputStream in = new DataInputStream(from.getInputStream());
                OutputStream out = to.getOutputStream();
                while (true) {
                  int length = in.readInt();
                  byte[] frame = new byte[4 + 1 + length + 1];
                  frame[0] = (byte) (length >>> 24);
                  frame[1] = (byte) (length >>> 16);
                  frame[2] = (byte) (length >>> 8);
                  frame[3] = (byte) length;
                  in.readFully(frame, 4, frame.length - 4);
                  synchronized (this) {
                    frames.add(frame);
                  }
                  out.write(frame);
                  out.flush();
                }
              } catch (IOException e) {
                // either side closed
              }
            },
            "capture-pump");
    t.setDaemon(true);
    t.start();
  }
}
