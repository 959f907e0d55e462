package io.rpyc.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.rpyc.Tuple;
import io.rpyc.internal.codec.FrameDecoder;
import io.rpyc.internal.codec.FrameEncoder;
import io.rpyc.internal.codec.IdPack;
import io.rpyc.internal.codec.Message;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;

/**
 * A bare RPyC peer over a plain blocking socket: writes and reads frames with the codec but nothing
 * else, so tests can send exactly the bytes they mean (including malformed ones) and see exactly
 * what comes back.
 */
public final class RawPeer implements Closeable {
  public static final int VALUE = 1;
  public static final int TUPLE = 2;
  public static final int LOCAL_REF = 3;
  public static final int REMOTE_REF = 4;

  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;
  private final FrameDecoder decoder = new FrameDecoder(Integer.MAX_VALUE, 256);
  private long seq;

  private RawPeer(Socket socket) throws IOException {
    this.socket = socket;
    socket.setTcpNoDelay(true);
    socket.setSoTimeout(10_000);
    this.in = new DataInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
  }

  public static RawPeer connect(String host, int port) throws IOException {
    return new RawPeer(new Socket(host, port));
  }

  /** Accepts one connection on {@code server}: a fake server, driven by hand. */
  public static RawPeer accept(java.net.ServerSocket server) throws IOException {
    return new RawPeer(server.accept());
  }

  /** Writes raw bytes. */
  public void sendBytes(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /** Sends a message encoded as plain RPyC; returns its sequence number. */
  public long send(int type, long seq, Object body) throws IOException {
    ByteBuf frame =
        FrameEncoder.encode(
            ByteBufAllocator.DEFAULT, type, seq, body, 0, false, true, Integer.MAX_VALUE);
    try {
      byte[] bytes = new byte[frame.readableBytes()];
      frame.readBytes(bytes);
      sendBytes(bytes);
    } finally {
      frame.release();
    }
    return seq;
  }

  /** Sends a request with already boxed arguments; returns its sequence number. */
  public long request(int handler, Object boxedArgs) throws IOException {
    return send(Message.REQUEST, seq++, new Object[] {handler, boxedArgs});
  }

  /** Sends a request whose arguments are all plain values. */
  public long requestValues(int handler, Object... args) throws IOException {
    return request(handler, value(Tuple.of(args)));
  }

  /** Reads the next message, or throws {@link EOFException} if the peer closed. */
  public Message read() throws IOException {
    int length = in.readInt();
    int flag = in.readUnsignedByte();
    byte[] payload = new byte[length];
    in.readFully(payload);
    in.readUnsignedByte();
    ByteBuf buf = Unpooled.wrappedBuffer(payload);
    if (flag != 0) {
      java.util.zip.Inflater inflater = new java.util.zip.Inflater();
      inflater.setInput(payload);
      java.io.ByteArrayOutputStream plain = new java.io.ByteArrayOutputStream();
      byte[] chunk = new byte[8192];
      try {
        while (!inflater.finished()) {
          plain.write(chunk, 0, inflater.inflate(chunk));
        }
      } catch (java.util.zip.DataFormatException e) {
        throw new IOException(e);
      } finally {
        inflater.end();
      }
      buf = Unpooled.wrappedBuffer(plain.toByteArray());
    }
    return decoder.decodePayload(buf);
  }

  /** Reads messages until the reply (or exception) to {@code seq}, skipping other traffic. */
  public Message replyTo(long seq) throws IOException {
    while (true) {
      Message m = read();
      if (m.type() != Message.REQUEST && m.seq() == seq) {
        return m;
      }
    }
  }

  /** Sends a request and returns its reply. */
  public Message call(int handler, Object boxedArgs) throws IOException {
    return replyTo(request(handler, boxedArgs));
  }

  /**
   * Whether the peer closes the connection within the socket timeout, after optionally sending
   * messages first (returned in {@code seen}).
   */
  public boolean awaitClose(java.util.List<Message> seen) throws IOException {
    try {
      while (true) {
        seen.add(read());
      }
    } catch (EOFException e) {
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // connection reset
    }
  }

  public static Object[] value(Object v) {
    return new Object[] {VALUE, v};
  }

  /** A boxed tuple of boxed items (two parameters so that one item is never taken for all). */
  public static Object[] tuple(Object[] first, Object[]... rest) {
    Object[] items = new Object[rest.length + 1];
    items[0] = first;
    System.arraycopy(rest, 0, items, 1, rest.length);
    return new Object[] {TUPLE, items};
  }

  public static Object[] localRef(IdPack id) {
    return new Object[] {LOCAL_REF, id};
  }

  /** The id_pack inside a boxed remote reference such as a GETROOT reply body. */
  public static IdPack idPackOf(Object boxed) {
    Tuple t = (Tuple) boxed;
    if (!Integer.valueOf(REMOTE_REF).equals(t.get(0))) {
      throw new AssertionError("not a remote reference: " + boxed);
    }
    Tuple id = (Tuple) t.get(1);
    return new IdPack(
        (String) id.get(0), ((Number) id.get(1)).longValue(), ((Number) id.get(2)).longValue());
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
