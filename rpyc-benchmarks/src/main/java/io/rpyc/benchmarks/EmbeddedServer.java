package io.rpyc.benchmarks;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.rpyc.RpycConfig;
import io.rpyc.Service;
import io.rpyc.Tuple;
import io.rpyc.internal.codec.FrameDecoder;
import io.rpyc.internal.codec.FrameEncoder;
import io.rpyc.internal.codec.Message;
import io.rpyc.internal.protocol.Handlers;
import io.rpyc.internal.protocol.ProtocolConnection;
import io.rpyc.internal.transport.Transport;

/**
 * The accepting side of a connection on an {@link EmbeddedChannel}, with a direct executor: a
 * request frame goes in, the reply frame comes out, all on the calling thread and without a socket.
 * Negotiates the Java extension and fetches the root like a JVM client would, so that it can build
 * the exact frames of a {@code CALLATTR add(7, 1)} as rpyc-java's client sends them. Not
 * thread-safe.
 */
final class EmbeddedServer implements AutoCloseable {
  static final int LABEL_VALUE = 1;
  static final int LABEL_TUPLE = 2;
  static final int LABEL_LOCAL_REF = 3;
  static final int MAX = 128 << 20;

  /** A chain id as a JVM client sends it: a random long, so 8 bytes on the wire. */
  static final long CHAIN = 0x5DEECE66DL * 0x1234567L;

  final EmbeddedChannel channel = new EmbeddedChannel();
  final ProtocolConnection connection;
  private final FrameDecoder decoder = new FrameDecoder(MAX, 64);
  private final Object rootId;
  private long seq = 1;

  EmbeddedServer(Service service) {
    RpycConfig config = RpycConfig.defaults();
    connection = new ProtocolConnection(channel, config, null, Runnable::run);
    Transport.initPipeline(channel, connection, config);
    connection.startAsAcceptor(() -> service);
    channel.runPendingTasks();
    Object[] hello = {"rpyc-java", 1, Tuple.of("types", "chain"), MAX};
    decode(exchange(request(Handlers.JAVA_HELLO, new Object[] {LABEL_VALUE, hello}, 0)));
    Message root =
        decode(exchange(request(Handlers.GETROOT, new Object[] {LABEL_VALUE, new Object[0]}, 0)));
    rootId = ((Tuple) root.body()).get(1); // (LABEL_REMOTE_REF, id_pack)
  }

  /** A request frame, encoded as rpyc-java's client encodes it for a JVM peer. */
  ByteBuf request(int handler, Object boxedArgs, long chain) {
    return FrameEncoder.encode(
        ByteBufAllocator.DEFAULT,
        Message.REQUEST,
        seq++,
        new Object[] {handler, boxedArgs},
        chain,
        true,
        false,
        MAX);
  }

  /**
   * The body of {@code root.add(a, b)} through a typed proxy: CALLATTR(root, "add", (a, b), ()).
   */
  Object[] addBody(int a, int b) {
    return new Object[] {
      Handlers.CALLATTR,
      new Object[] {
        LABEL_TUPLE,
        new Object[] {
          new Object[] {LABEL_LOCAL_REF, rootId},
          new Object[] {LABEL_VALUE, "add"},
          new Object[] {LABEL_VALUE, Tuple.of(a, b)},
          new Object[] {LABEL_VALUE, Tuple.of()}
        }
      }
    };
  }

  /** The complete frame of {@code root.add(a, b)}, with a call chain as a JVM client sends it. */
  ByteBuf addRequest(int a, int b) {
    return FrameEncoder.encode(
        ByteBufAllocator.DEFAULT, Message.REQUEST, seq++, addBody(a, b), CHAIN, true, false, MAX);
  }

  /** Feeds a complete frame (released here) and returns the reply frame (the caller's). */
  ByteBuf exchange(ByteBuf frame) {
    channel.writeInbound(frame);
    channel.runPendingTasks();
    ByteBuf reply = channel.readOutbound();
    if (reply == null) {
      throw new IllegalStateException("no reply");
    }
    return reply;
  }

  /** Decodes a complete frame (released here). */
  Message decode(ByteBuf frame) {
    try {
      return decoder.decodePayload(frame.slice(5, frame.getInt(0)));
    } finally {
      frame.release();
    }
  }

  static byte[] bytes(ByteBuf frame) {
    try {
      return ByteBufUtil.getBytes(frame);
    } finally {
      frame.release();
    }
  }

  @Override
  public void close() {
    connection.close();
    channel.runPendingTasks();
    channel.finishAndReleaseAll();
  }
}
