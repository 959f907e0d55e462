package io.rpyc.internal.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.rpyc.ProtocolViolationException;
import io.rpyc.RpycConfig;
import io.rpyc.Tuple;
import io.rpyc.internal.codec.FrameDecoder;
import io.rpyc.internal.codec.IdPack;
import io.rpyc.internal.codec.Message;
import io.rpyc.internal.transport.Transport;
import io.rpyc.testing.Allocations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Fuzzes request dispatch: an arbitrary byte stream from a "client" goes through the real pipeline
 * ({@link FrameDecoder}, {@link ProtocolConnection}, {@link RequestHandlers}, {@link AccessPolicy})
 * of a server-side connection serving {@link FuzzService}, on an {@link EmbeddedChannel}, with
 * requests served synchronously on the fuzzing thread.
 *
 * <p>Properties checked after every frame:
 *
 * <ul>
 *   <li>every request gets exactly one reply or exception reply (CLOSE excepted) while the
 *       connection is open;
 *   <li>the connection closes only when the client sent CLOSE or a frame a reference {@link
 *       FrameDecoder} refuses (the documented "bad input" table);
 *   <li>no trap of {@link FuzzService} ever runs, and no reply hands out a reference to anything
 *       sensitive (a class other than the one the service returns, reflection, class loaders,
 *       modules, threads, processes, files, the services' secrets);
 *   <li>an input costs bounded heap and time.
 * </ul>
 *
 * <p>Seeds name the server's objects symbolically (see {@code make_seeds.py}): an id_pack {@code
 * ("", -1, k)} is rewritten to the object exported with instance id k, {@code ("", -2, k)} to that
 * object's class, because real class ids depend on what the JVM exported before. Everything else
 * reaches the connection untouched.
 */
class DispatchFuzzTest {
  static final int MAX_FRAME = 64 << 10;
  static final Executor DIRECT = Runnable::run;

  static final RpycConfig CONFIG =
      RpycConfig.builder()
          .maxFrameSize(MAX_FRAME)
          .maxNestingDepth(32)
          // callbacks to the fuzzing "client" are never answered: fail them fast
          .syncRequestTimeout(Duration.ofMillis(1))
          .build();

  static final long FIXED_ALLOWANCE = 8L << 20;
  static final long PER_FRAME_ALLOWANCE = 64L * MAX_FRAME;

  static {
    // warm the reflection caches, so that the allocation bound measures each input's own cost
    new Session().run(warmUp());
  }

  /** Slower than this is a hang for our purposes (a JUnit @Timeout would cut a fuzzing run). */
  static final long MAX_NANOS_PER_INPUT = TimeUnit.SECONDS.toNanos(10);

  @FuzzTest(maxDuration = "30s")
  void servesOrRefusesEveryRequest(byte[] stream) {
    Session checked = new Session();
    long start = System.nanoTime();
    checked.run(stream);
    long took = System.nanoTime() - start;
    assertTrue(took < MAX_NANOS_PER_INPUT, () -> "one input took " + took / 1_000_000 + " ms");
    long allocated = Allocations.of(() -> new Session().run(stream));
    assertTrue(
        allocated <= allowance(checked.frames),
        () ->
            allocated
                + " bytes allocated for "
                + checked.frames
                + " frames; allowed "
                + allowance(checked.frames));
  }

  static long allowance(int frames) {
    return FIXED_ALLOWANCE + PER_FRAME_ALLOWANCE * Math.max(1, frames);
  }

  /** GETROOT, then {@code root.add(1, 2)} and {@code root.widget().describe()}. */
  private static byte[] warmUp() {
    Object[] root = {ProtocolConnection.LABEL_LOCAL_REF, Tuple.of("", -1, 1)};
    Object[] widget = {ProtocolConnection.LABEL_LOCAL_REF, Tuple.of("", -1, 2)};
    return concat(
        request(0, Handlers.GETROOT, new Object[] {1, Tuple.of()}),
        request(1, Handlers.CALLATTR, callattr(root, "add", Tuple.of(1, 2))),
        request(2, Handlers.CALLATTR, callattr(root, "widget", Tuple.of())),
        request(3, Handlers.CALLATTR, callattr(widget, "describe", Tuple.of())));
  }

  private static Object[] callattr(Object[] target, String name, Tuple args) {
    return new Object[] {
      ProtocolConnection.LABEL_TUPLE,
      new Object[] {
        target, new Object[] {1, name}, new Object[] {1, args}, new Object[] {1, Tuple.of()}
      }
    };
  }

  private static byte[] request(long seq, int handler, Object boxedArgs) {
    ByteBuf frame =
        io.rpyc.internal.codec.FrameEncoder.encode(
            io.netty.buffer.ByteBufAllocator.DEFAULT,
            Message.REQUEST,
            seq,
            new Object[] {handler, boxedArgs},
            0,
            false,
            false,
            MAX_FRAME);
    try {
      return io.netty.buffer.ByteBufUtil.getBytes(frame);
    } finally {
      frame.release();
    }
  }

  private static byte[] concat(byte[]... parts) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  /** One connection fed one stream, frame by frame, with the checks above. */
  static final class Session {
    final EmbeddedChannel channel = new EmbeddedChannel();
    final EmbeddedChannel reference = new EmbeddedChannel(new FrameDecoder(MAX_FRAME, 32));
    final EmbeddedChannel replies = new EmbeddedChannel(new FrameDecoder(Integer.MAX_VALUE, 256));
    final ProtocolConnection connection = new ProtocolConnection(channel, CONFIG, null, DIRECT);
    final Map<Long, IdPack> exported = new HashMap<>();
    int frames;
    int requests; // sent by the client, needing a reply
    int answers; // replies and exception replies from the server
    boolean clientSentClose;
    boolean referenceRefused;
    boolean serverClosed;

    Session() {
      Transport.initPipeline(channel, connection, CONFIG);
      channel.pipeline().addBefore("rpyc", "symbolic-ids", new SymbolicIds());
      connection.startAsAcceptor(FuzzService::new);
      channel.runPendingTasks();
      FuzzService.BREACHES.clear();
    }

    void run(byte[] stream) {
      try {
        int pos = 0;
        while (pos < stream.length && !serverClosed) {
          int end = frameEnd(stream, pos);
          feed(Arrays.copyOfRange(stream, pos, end));
          pos = end;
        }
        assertTrue(FuzzService.BREACHES.isEmpty(), () -> "a trap ran: " + FuzzService.BREACHES);
      } finally {
        connection.close();
        channel.runPendingTasks();
        drainReplies();
        channel.finishAndReleaseAll();
        reference.finishAndReleaseAll();
        replies.finishAndReleaseAll();
      }
    }

    /** Where the frame starting at {@code pos} ends (the whole rest when incomplete or huge). */
    static int frameEnd(byte[] s, int pos) {
      if (s.length - pos < 5) {
        return s.length;
      }
      long length =
          ((s[pos] & 0xffL) << 24)
              | ((s[pos + 1] & 0xff) << 16)
              | ((s[pos + 2] & 0xff) << 8)
              | (s[pos + 3] & 0xff);
      long end = pos + 6 + length;
      return length > MAX_FRAME || end > s.length ? s.length : (int) end;
    }

    void feed(byte[] chunk) {
      frames++;
      try {
        reference.writeInbound(Unpooled.wrappedBuffer(chunk));
      } catch (DecoderException e) {
        assertTrue(e.getCause() instanceof ProtocolViolationException, e::toString);
        referenceRefused = true;
      }
      while (reference.readInbound() instanceof Message) {
        // counted by SymbolicIds on the real connection
      }
      channel.writeInbound(Unpooled.wrappedBuffer(chunk));
      channel.runPendingTasks();
      drainReplies();
      if (connection.isClosed() || !channel.isActive()) {
        serverClosed = true;
        assertTrue(
            clientSentClose || referenceRefused,
            "the server closed the connection on a well-formed frame");
      } else {
        assertFalse(referenceRefused, "the server accepted a frame the decoder refuses");
        assertEquals(requests, answers, "every request gets exactly one reply");
      }
    }

    void drainReplies() {
      Object out;
      while ((out = channel.readOutbound()) != null) {
        replies.writeInbound((ByteBuf) out);
        Object m;
        while ((m = replies.readInbound()) != null) {
          onServerMessage((Message) m);
        }
      }
    }

    void onServerMessage(Message m) {
      if (m.type() == Message.REQUEST) {
        return; // CLOSE, DEL, or a callback the fuzzing client never answers
      }
      answers++;
      if (m.type() == Message.REPLY) {
        collectRefs(m.body());
      }
    }

    /** Records the references a reply hands out, and refuses sensitive ones. */
    void collectRefs(Object boxed) {
      if (!(boxed instanceof Tuple) || ((Tuple) boxed).size() != 2) {
        return;
      }
      Tuple t = (Tuple) boxed;
      if (Integer.valueOf(ProtocolConnection.LABEL_TUPLE).equals(t.get(0))) {
        for (Object item : (Tuple) t.get(1)) {
          collectRefs(item);
        }
      } else if (Integer.valueOf(ProtocolConnection.LABEL_REMOTE_REF).equals(t.get(0))) {
        IdPack id = ProtocolConnection.idPack(t.get(1));
        String why = sensitive(id);
        if (why != null) {
          fail("a reply handed out " + id + ": " + why);
        }
        exported.put(id.instanceId(), id);
      }
    }

    /** Why a reference must never leave the server, or {@code null}. */
    static String sensitive(IdPack id) {
      String n = id.name();
      if (id.isClass() && !n.equals(FuzzService.Widget.class.getName())) {
        return "a class the service never returned";
      }
      if (n.startsWith("java.lang.reflect.")
          || n.startsWith("java.lang.invoke.")
          || n.startsWith("java.lang.Module")
          || n.contains("ClassLoader")
          || n.equals("java.lang.Class")
          || n.startsWith("java.lang.Thread")
          || n.startsWith("java.lang.Process")
          || n.equals("java.lang.Runtime")
          || n.equals("java.lang.System")
          || n.startsWith("java.io.File")
          || n.startsWith("java.nio.file.")
          || n.startsWith("java.net.")
          || n.startsWith("sun.")
          || n.startsWith("jdk.internal.")
          || n.startsWith("io.netty.")
          || n.equals(FuzzService.Secret.class.getName())
          || n.startsWith(ProtocolConnection.class.getName())) {
        return "a sensitive type";
      }
      return null;
    }

    /**
     * Counts the client's requests and resolves symbolic id_packs, between the decoder and the
     * connection.
     */
    final class SymbolicIds extends ChannelInboundHandlerAdapter {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Message m = (Message) msg;
        if (m.type() == Message.REQUEST) {
          if (isClose(m.body())) {
            clientSentClose = true;
          } else {
            requests++;
          }
        }
        ctx.fireChannelRead(new Message(m.type(), m.seq(), resolve(m.body()), m.chain()));
      }

      private boolean isClose(Object body) {
        return body instanceof Tuple
            && ((Tuple) body).size() == 2
            && Integer.valueOf(Handlers.CLOSE).equals(((Tuple) body).get(0));
      }

      private Object resolve(Object v) {
        if (!(v instanceof Tuple)) {
          return v;
        }
        Tuple t = (Tuple) v;
        if (t.size() == 3
            && "".equals(t.get(0))
            && t.get(1) instanceof Integer
            && t.get(2) instanceof Integer) {
          int symbol = (Integer) t.get(1);
          IdPack real = exported.get((long) (Integer) t.get(2));
          if (symbol == -1 && real != null) {
            return Tuple.of(real.name(), real.classId(), real.instanceId());
          }
          if (symbol == -2 && real != null) {
            return Tuple.of(real.name(), real.classId(), 0);
          }
        }
        List<Object> items = new ArrayList<>(t.size());
        for (Object item : t) {
          items.add(resolve(item));
        }
        return Tuple.copyOf(items);
      }
    }
  }
}
