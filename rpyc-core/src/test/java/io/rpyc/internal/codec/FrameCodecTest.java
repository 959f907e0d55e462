package io.rpyc.internal.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.rpyc.ProtocolViolationException;
import io.rpyc.RpycException;
import io.rpyc.Tuple;
import io.rpyc.testing.Hex;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.Deflater;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FrameCodecTest {
  private final EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(1 << 20, 64));

  @AfterEach
  void finish() {
    channel.finishAndReleaseAll();
  }

  private static ByteBuf frame(Object body, boolean compress) {
    return FrameEncoder.encode(ByteBufAllocator.DEFAULT, 2, 7, body, 0, false, compress, 1 << 24);
  }

  private static byte[] bytes(ByteBuf buf) {
    byte[] out = new byte[buf.readableBytes()];
    buf.getBytes(buf.readerIndex(), out);
    return out;
  }

  private static byte[] deflate(byte[] data, int level) {
    Deflater d = new Deflater(level);
    d.setInput(data);
    d.finish();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] chunk = new byte[8192];
    while (!d.finished()) {
      out.write(chunk, 0, d.deflate(chunk));
    }
    d.end();
    return out.toByteArray();
  }

  private static byte[] rawFrame(byte[] payload, int flag) {
    byte[] f = new byte[payload.length + 6];
    f[0] = (byte) (payload.length >>> 24);
    f[1] = (byte) (payload.length >>> 16);
    f[2] = (byte) (payload.length >>> 8);
    f[3] = (byte) payload.length;
    f[4] = (byte) flag;
    System.arraycopy(payload, 0, f, 5, payload.length);
    f[f.length - 1] = '\n';
    return f;
  }

  @Test
  void encoder_matchesTheCapturedReplyFrame() {
    // §14.2: S->C 00 00 00 06 00 12 52 53 11 51 53 0a = (2, 3, (1, 3))
    ByteBuf f =
        FrameEncoder.encode(
            ByteBufAllocator.DEFAULT, 2, 3, new Object[] {1, 3}, 0, false, true, 1 << 20);
    try {
      assertEquals("00 00 00 06 00 12 52 53 11 51 53 0a", Hex.format(bytes(f)));
    } finally {
      f.release();
    }
  }

  @Test
  void smallFrame_decodesToMessage() {
    channel.writeInbound(Unpooled.wrappedBuffer(Hex.parse("00 00 00 06 00 12 52 53 11 51 53 0a")));
    Message m = channel.readInbound();
    assertEquals(new Message(2, 3, Tuple.of(1, 3), 0), m);
  }

  @Test
  void payloadsAbove3000Bytes_areCompressedWithZlibLevel1() {
    byte[] big = new byte[5000];
    Arrays.fill(big, (byte) 'a');
    ByteBuf f = frame(new Object[] {1, big}, true);
    byte[] wire = bytes(f);
    assertEquals(1, wire[4], "compressed flag");
    assertEquals(0x78, wire[5] & 0xff, "zlib header");
    assertEquals(0x01, wire[6] & 0xff, "zlib level 1");
    assertTrue(wire.length < 200, "5000 equal bytes compress well: " + wire.length);
    channel.writeInbound(f);
    Message m = channel.readInbound();
    assertArrayEquals(big, (byte[]) ((Tuple) m.body()).get(1));
  }

  @Test
  void payloadOfExactly3000Bytes_isNotCompressed() {
    // 3-tuple header + type + seq (3 bytes), body tuple (1) + label (1) + bytes header (5) = 10
    byte[] data = new byte[3000 - 10];
    ByteBuf f = frame(new Object[] {1, data}, true);
    assertEquals(3000, f.getInt(0));
    assertEquals(0, f.getByte(4));
    f.release();
    ByteBuf g = frame(new Object[] {1, new byte[data.length + 1]}, true);
    assertEquals(1, g.getByte(4));
    g.release();
  }

  @Test
  void compressedSmallFrame_andUncompressedBigFrame_areBothAccepted() {
    byte[] small = Hex.parse("12 52 53 11 51 53");
    channel.writeInbound(Unpooled.wrappedBuffer(rawFrame(deflate(small, 6), 1)));
    assertEquals(Tuple.of(1, 3), ((Message) channel.readInbound()).body());

    ByteBuf big = frame(new Object[] {1, new byte[10_000]}, false);
    assertEquals(0, big.getByte(4));
    channel.writeInbound(big);
    assertEquals(
        10_000, ((byte[]) ((Tuple) ((Message) channel.readInbound()).body()).get(1)).length);
  }

  @Test
  void framesSplitAnywhere_andCoalesced_decodeTheSame() {
    ByteBuf a = frame(new Object[] {1, "first"}, false);
    ByteBuf b = frame(new Object[] {1, new byte[4000]}, true);
    byte[] both = new byte[a.readableBytes() + b.readableBytes()];
    a.readBytes(both, 0, a.readableBytes());
    b.readBytes(both, both.length - b.readableBytes(), b.readableBytes());
    a.release();
    b.release();
    Random random = new Random(42);
    int i = 0;
    while (i < both.length) {
      int n = Math.min(both.length - i, 1 + random.nextInt(7));
      channel.writeInbound(Unpooled.wrappedBuffer(both, i, n));
      i += n;
    }
    assertEquals("first", ((Tuple) ((Message) channel.readInbound()).body()).get(1));
    assertEquals(4000, ((byte[]) ((Tuple) ((Message) channel.readInbound()).body()).get(1)).length);
    assertNull(channel.readInbound());
  }

  @Test
  void trailerByte_isNotChecked() {
    byte[] f = Hex.parse("00 00 00 06 00 12 52 53 11 51 53 ff");
    channel.writeInbound(Unpooled.wrappedBuffer(f));
    assertEquals(Tuple.of(1, 3), ((Message) channel.readInbound()).body());
  }

  @Test
  void emptyPayload_isIgnoredAsRpycDoes() {
    channel.writeInbound(
        Unpooled.wrappedBuffer(Hex.parse("00 00 00 00 00 0a 00 00 00 06 00 12 52 53 11 51 53 0a")));
    assertEquals(Tuple.of(1, 3), ((Message) channel.readInbound()).body());
  }

  @Test
  void chainId_travelsAsAFourthElement() {
    ByteBuf f =
        FrameEncoder.encode(
            ByteBufAllocator.DEFAULT, 1, 9, new Object[] {1, 2}, -77L, true, false, 1 << 20);
    assertEquals(0x13, f.getByte(5));
    channel.writeInbound(f);
    Message m = channel.readInbound();
    assertEquals(-77L, m.chain());
    assertEquals(9, m.seq());
  }

  @Test
  void encoder_refusesPayloadsAboveTheLimit() {
    RpycException e =
        assertThrows(
            RpycException.class,
            () ->
                FrameEncoder.encode(
                    ByteBufAllocator.DEFAULT,
                    2,
                    1,
                    new Object[] {1, new byte[5000]},
                    0,
                    false,
                    false,
                    4096));
    assertTrue(e.getMessage().contains("exceeds the maximum frame size"), e.getMessage());
  }

  // ---- bad input: one violation, then the decoder discards everything

  private ProtocolViolationException violation(byte[] input) {
    DecoderException e =
        assertThrows(
            DecoderException.class, () -> channel.writeInbound(Unpooled.wrappedBuffer(input)));
    return assertInstanceOf(ProtocolViolationException.class, e.getCause());
  }

  @Test
  void hostileLengthHeader_isRefusedWithoutBuffering() {
    ProtocolViolationException e = violation(Hex.parse("7f ff ff ff 00 12 51"));
    assertTrue(e.getMessage().contains("exceeds the maximum frame size"), e.getMessage());
    // later bytes are discarded, not decoded
    channel.writeInbound(Unpooled.wrappedBuffer(Hex.parse("00 00 00 06 00 12 52 53 11 51 53 0a")));
    assertNull(channel.readInbound());
  }

  @Test
  void zlibBomb_isStoppedAtTheLimit() {
    byte[] zeros = new byte[8 << 20]; // inflates to 8 MiB, limit is 1 MiB
    byte[] bomb = deflate(zeros, 9);
    assertTrue(bomb.length < 20_000);
    ProtocolViolationException e = violation(rawFrame(bomb, 1));
    assertTrue(e.getMessage().contains("inflates beyond"), e.getMessage());
  }

  @Test
  void invalidZlib_isAViolation() {
    ProtocolViolationException e = violation(rawFrame(new byte[] {1, 2, 3, 4, 5}, 1));
    assertTrue(e.getMessage().contains("zlib"), e.getMessage());
  }

  @Test
  void truncatedZlib_isAViolation() {
    byte[] z = deflate(new byte[10_000], 1);
    ProtocolViolationException e = violation(rawFrame(Arrays.copyOf(z, z.length / 2), 1));
    assertTrue(e.getMessage().contains("zlib"), e.getMessage());
  }

  @Test
  void unknownBrineTag_isAViolation() {
    violation(rawFrame(Hex.parse("12 51 50 07"), 0));
  }

  @Test
  void trailingBytesInAFrame_areAViolation() {
    violation(rawFrame(Hex.parse("12 52 53 11 51 53 00"), 0));
  }

  @Test
  void nonTupleMessage_andBadMessageType_areViolations() {
    assertTrue(violation(rawFrame(Hex.parse("51"), 0)).getMessage().contains("tuple"));
  }

  @Test
  void invalidMessageType_isAViolation() {
    ProtocolViolationException e = violation(rawFrame(Hex.parse("12 59 50 00"), 0));
    assertTrue(e.getMessage().contains("invalid message type"), e.getMessage());
  }

  @Test
  void rpyc6Payload_isRecognisedAndRefused() {
    // RPyC 6: one raw msg_type byte, then brine((seq, body))
    ProtocolViolationException e = violation(rawFrame(Hex.parse("01 11 50 11 53 11 51 02"), 0));
    assertTrue(e.getMessage().contains("RPyC 6 peers are not supported yet"), e.getMessage());
  }

  /** Records how much the decoder allocates. */
  private static final class CountingAllocator extends io.netty.buffer.AbstractByteBufAllocator {
    long total;
    int largest;

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
      total += initialCapacity;
      largest = Math.max(largest, initialCapacity);
      return io.netty.buffer.UnpooledByteBufAllocator.DEFAULT.heapBuffer(
          initialCapacity, maxCapacity);
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
      return newHeapBuffer(initialCapacity, maxCapacity);
    }

    @Override
    public boolean isDirectBufferPooled() {
      return false;
    }
  }

  /** Every component of a chunked frame is at most {@link LargeFrames#CHUNK} bytes. */
  private static void assertChunksAtMostChunkSize(CompositeByteBuf frame) {
    for (int i = 0; i < frame.numComponents(); i++) {
      assertTrue(frame.internalComponent(i).capacity() <= LargeFrames.CHUNK, "component " + i);
    }
  }

  /** A decoded value equals what was sent: a {@code byte[]} by content. */
  private static void assertSameValue(Object sent, Object got) {
    if (sent instanceof byte[]) {
      assertArrayEquals((byte[]) sent, (byte[]) got);
    } else {
      assertEquals(sent, got);
    }
  }

  private static void feed(EmbeddedChannel ch, byte[] bytes, int chunk) {
    for (int i = 0; i < bytes.length; i += chunk) {
      ch.writeInbound(Unpooled.wrappedBuffer(bytes, i, Math.min(chunk, bytes.length - i)));
    }
  }

  @Test
  void largeFrames_areCopiedOnceIntoChunks_butAHeaderAloneAllocatesNothingBig() {
    CountingAllocator counting = new CountingAllocator();
    EmbeddedChannel big = new EmbeddedChannel();
    big.config().setAllocator(counting);
    big.pipeline().addLast(new FrameDecoder(64 << 20, 64));
    try {
      byte[] hostile = new byte[4096];
      System.arraycopy(Hex.parse("03 ff ff ff 00"), 0, hostile, 0, 5); // announces ~64 MiB
      feed(big, hostile, 512);
      assertTrue(counting.largest <= 8192, "a header alone: " + counting.largest + " bytes");
    } finally {
      big.finishAndReleaseAll();
    }
    CountingAllocator linear = new CountingAllocator();
    EmbeddedChannel frames = new EmbeddedChannel();
    frames.config().setAllocator(linear);
    frames.pipeline().addLast(new FrameDecoder(64 << 20, 64));
    try {
      ByteBuf f = frame(new Object[] {1, new byte[8 << 20]}, false);
      byte[] wire = bytes(f);
      f.release();
      long chunksBefore = ChunkCache.HEAP.taken(); // full chunks come from the cache, not alloc
      feed(frames, wire, 64 << 10);
      Message m = frames.readInbound();
      assertEquals(8 << 20, ((byte[]) ((Tuple) m.body()).get(1)).length);
      // copied once, into chunks: no buffer as large as the frame, nothing copied again to grow
      assertTrue(linear.largest <= LargeFrames.CHUNK, "largest buffer " + linear.largest);
      long total = linear.total + (ChunkCache.HEAP.taken() - chunksBefore) * LargeFrames.CHUNK;
      assertTrue(total < 2L * wire.length, "allocated " + total + " for " + wire.length);
    } finally {
      frames.finishAndReleaseAll();
    }
  }

  @Test
  void aLargeFrameDribbledAByteAtATime_holdsAFewChunks_notABufferPerRead() {
    CountingAllocator counting = new CountingAllocator();
    long chunksBefore = ChunkCache.HEAP.taken();
    EmbeddedChannel ch = new EmbeddedChannel();
    ch.config().setAllocator(counting);
    ch.pipeline().addLast(new FrameDecoder(64 << 20, 64));
    try {
      ch.writeInbound(Unpooled.wrappedBuffer(Hex.parse("03 ff ff ff 00"))); // ~64 MiB announced
      int arrived = 200_000;
      for (int i = 0; i < arrived; i++) {
        ch.writeInbound(Unpooled.buffer(64).writeByte(i)); // what a 1-byte read looks like
      }
      // at most about twice what arrived, in a few dozen chunks, not a component per read
      ByteBuf held = ch.pipeline().get(FrameDecoder.class).cumulation();
      assertEquals(arrived + 5, held.readableBytes());
      assertTrue(held.capacity() <= 2L * arrived + LargeFrames.CHUNK, "held " + held.capacity());
      int components = ((CompositeByteBuf) held).numComponents();
      assertTrue(components < 64, components + " components");
      long total = counting.total + (ChunkCache.HEAP.taken() - chunksBefore) * LargeFrames.CHUNK;
      assertTrue(total <= 2L * arrived + LargeFrames.CHUNK, "allocated " + total);
    } finally {
      ch.finishAndReleaseAll();
    }
  }

  @Test
  void largeCompressedFrames_andLongMultibyteStrings_roundTripInChunks() {
    EmbeddedChannel frames = new EmbeddedChannel(new FrameDecoder(64 << 20, 64));
    try {
      byte[] noise = new byte[3 << 20];
      new Random(5).nextBytes(noise);
      // the size estimate counts characters: 3 UTF-8 bytes each outgrow it, by chunks
      String text = "\u65e5\u672c".repeat(600_000);
      Object[][] bodies = {{1, noise}, {1, new byte[5 << 20]}, {1, text}};
      for (boolean compress : new boolean[] {true, false}) {
        for (Object[] body : bodies) {
          ByteBuf f = frame(body, compress);
          if (f instanceof CompositeByteBuf) {
            assertChunksAtMostChunkSize((CompositeByteBuf) f);
          }
          frames.writeInbound(f);
          assertSameValue(body[1], ((Tuple) ((Message) frames.readInbound()).body()).get(1));
        }
      }
    } finally {
      frames.finishAndReleaseAll();
    }
  }

  @Test
  void largeFrames_areEncodedInChunks_thatHoldTheSameBytes() {
    byte[] data = new byte[(3 << 20) + 5];
    new Random(3).nextBytes(data);
    Object[] body = {1, data};
    ByteBuf f = frame(body, false);
    try {
      assertChunksAtMostChunkSize(assertInstanceOf(CompositeByteBuf.class, f));
      ByteBuf payload = Unpooled.buffer();
      payload.writeByte(Brine.TAG_TUP3);
      BrineWriter.writeCompactLong(payload, 2, false);
      BrineWriter.writeCompactLong(payload, 7, false);
      BrineWriter.write(payload, body, false);
      assertArrayEquals(rawFrame(bytes(payload), 0), bytes(f));
      payload.release();
    } finally {
      f.release();
    }
  }

  @Test
  void largeAndSmallFrames_splitAnywhere_decodeInOrder() {
    EmbeddedChannel frames = new EmbeddedChannel(new FrameDecoder(64 << 20, 64));
    try {
      Random random = new Random(11);
      byte[] first = new byte[LargeFrames.THRESHOLD];
      byte[] second = new byte[(2 << 20) + 3];
      random.nextBytes(first);
      random.nextBytes(second);
      ByteArrayOutputStream wire = new ByteArrayOutputStream();
      Object[][] bodies = {
        {1, first}, {1, "after the first"}, {1, second}, {1, second}, {1, "last"}
      };
      for (Object[] body : bodies) {
        ByteBuf f = frame(body, false);
        wire.writeBytes(bytes(f));
        f.release();
      }
      byte[] all = wire.toByteArray();
      for (int i = 0; i < all.length; ) {
        int n = Math.min(all.length - i, 1 + random.nextInt(200 << 10));
        frames.writeInbound(Unpooled.wrappedBuffer(all, i, n));
        i += n;
      }
      for (Object[] body : bodies) {
        assertSameValue(body[1], ((Tuple) ((Message) frames.readInbound()).body()).get(1));
      }
      assertNull(frames.readInbound());
    } finally {
      frames.finishAndReleaseAll();
    }
  }
}
