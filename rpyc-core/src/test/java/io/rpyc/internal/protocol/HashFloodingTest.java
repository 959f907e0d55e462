package io.rpyc.internal.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.rpyc.RpycConfig;
import io.rpyc.VoidService;
import io.rpyc.internal.codec.FrameEncoder;
import io.rpyc.internal.codec.IdPack;
import io.rpyc.internal.codec.Message;
import io.rpyc.internal.transport.Transport;
import org.junit.jupiter.api.Test;

/** Peer-chosen keys with colliding hash codes must not make the I/O thread's work quadratic. */
class HashFloodingTest {
  @Test
  void referencesWithCollidingIdPacks_areImportedInLinearTime() {
    // 32,000 distinct id_packs with one hash code (31 * classId + instanceId constant), in a PING
    // with one argument too many (so that the reply is a short TypeError): importing them took 12 s
    // on the I/O thread for a 0.6 MB frame, and grew quadratically with the frame
    int n = 32_000;
    Object[] refs = new Object[n];
    for (int k = 0; k < n; k++) {
      refs[k] =
          new Object[] {
            ProtocolConnection.LABEL_REMOTE_REF, new IdPack("x", 1000 + k, 1_000_000 - 31L * k)
          };
    }
    Object[] tupleOfRefs = {ProtocolConnection.LABEL_TUPLE, refs};
    Object[] args = {
      ProtocolConnection.LABEL_TUPLE,
      new Object[] {tupleOfRefs, new Object[] {ProtocolConnection.LABEL_VALUE, 1}}
    };
    ByteBuf encoded =
        FrameEncoder.encode(
            ByteBufAllocator.DEFAULT,
            Message.REQUEST,
            0,
            new Object[] {Handlers.PING, args},
            0,
            false,
            false,
            Integer.MAX_VALUE);
    // an untracked copy: paranoid leak detection would record a stack trace per byte read
    ByteBuf frame = Unpooled.wrappedBuffer(ByteBufUtil.getBytes(encoded));
    encoded.release();
    EmbeddedChannel channel = new EmbeddedChannel();
    RpycConfig config = RpycConfig.defaults();
    ProtocolConnection connection =
        new ProtocolConnection(channel, config, new VoidService(), Runnable::run);
    Transport.initPipeline(channel, connection, config);
    try {
      long start = System.nanoTime();
      channel.writeInbound(frame);
      long ms = (System.nanoTime() - start) / 1_000_000;
      assertEquals(n, connection.stats().importedObjects());
      assertTrue(ms < 3000, "imported in " + ms + " ms");
    } finally {
      connection.close();
      channel.finishAndReleaseAll();
    }
  }

  @Test
  void idPacksAreOrderedConsistentlyWithEquals() {
    IdPack a = new IdPack("a", 1, 2);
    assertEquals(0, a.compareTo(new IdPack("a", 1, 2)));
    assertTrue(a.compareTo(new IdPack("b", 1, 2)) < 0);
    assertTrue(a.compareTo(new IdPack("a", 1, 3)) < 0);
    assertTrue(a.compareTo(new IdPack("a", 0, 9)) > 0);
  }
}
