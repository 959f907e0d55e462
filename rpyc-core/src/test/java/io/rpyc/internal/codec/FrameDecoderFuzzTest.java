package io.rpyc.internal.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.rpyc.ProtocolViolationException;
import io.rpyc.testing.Allocations;
import io.rpyc.testing.BoundedAllocator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Fuzzes {@link FrameDecoder} with arbitrary byte streams through an {@link EmbeddedChannel}, fed
 * whole and again in small chunks. Properties: the only failure is a {@link
 * ProtocolViolationException}, after which nothing more is decoded; both feedings decode the same
 * messages and fail alike; no buffer ever exceeds the maximum frame size plus what was sent; and
 * the heap a stream costs is bounded by its length plus the frame size limit per compressed frame
 * (what a zlib bomb may legitimately cost before it is refused).
 *
 * <p>Without {@code JAZZER_FUZZ} this replays the seed corpus in {@code
 * FrameDecoderFuzzTestInputs/}; for a long run see docs/security.md.
 */
class FrameDecoderFuzzTest {
  /** Small, so that inputs of a few KiB reach the limits. */
  static final int MAX_FRAME = 64 << 10;

  static final int MAX_DEPTH = 32;

  static final long BYTES_PER_INPUT_BYTE = 256;

  /** The channel, pipeline and decoder themselves, and an exception with a deep stack. */
  static final long FIXED_ALLOWANCE = 1 << 20;

  /** What one compressed frame may cost: its inflated payload, its growth copies, its values. */
  static final long PER_COMPRESSED_FRAME = (4 + BYTES_PER_INPUT_BYTE) * MAX_FRAME;

  static {
    // class loading allocates; get it out of the way of the first measurement
    decode(io.rpyc.testing.Hex.parse("00 00 00 08 00 12 51 50 11 53 11 51 02 0a"), 0);
    decode(io.rpyc.testing.Hex.parse("00 00 00 02 01 78 01 0a"), 0);
    decode(io.rpyc.testing.Hex.parse("00 00 00 01 00 07 0a"), 0);
  }

  /** What decoding a stream produced: messages (normalized), and the failure if any. */
  record Outcome(List<Object> messages, String failure) {}

  @FuzzTest(maxDuration = "30s")
  void decodesFramesOrRefusesTheStream(byte[] data) {
    Outcome whole = decode(data, 0);
    long allocated = Allocations.of(() -> decode(data, 0));
    long allowed =
        FIXED_ALLOWANCE
            + BYTES_PER_INPUT_BYTE * data.length
            + PER_COMPRESSED_FRAME * compressedFrames(data);
    assertTrue(
        allocated <= allowed,
        () ->
            allocated + " bytes allocated decoding " + data.length + " bytes; allowed " + allowed);
    Outcome chunked = decode(data, 1 + data.length % 7);
    assertEquals(whole, chunked, "feeding the stream in chunks changes nothing");
  }

  /** Decodes {@code data} at once ({@code chunk == 0}) or in chunks of that size. */
  static Outcome decode(byte[] data, int chunk) {
    EmbeddedChannel channel = new EmbeddedChannel();
    channel.config().setAllocator(new BoundedAllocator(MAX_FRAME + 6 + data.length));
    channel.pipeline().addLast(new FrameDecoder(MAX_FRAME, MAX_DEPTH));
    List<Object> messages = new ArrayList<>();
    String failure = null;
    try {
      int step = chunk == 0 ? Math.max(1, data.length) : chunk;
      for (int i = 0; i < data.length && failure == null; i += step) {
        try {
          channel.writeInbound(
              Unpooled.wrappedBuffer(Arrays.copyOfRange(data, i, Math.min(data.length, i + step))));
        } catch (DecoderException e) {
          if (!(e.getCause() instanceof ProtocolViolationException)) {
            throw e;
          }
          // identity hash codes (byte[]@1f2e3d) differ between runs; the rest must not
          failure = e.getCause().getMessage().replaceAll("@[0-9a-f]+", "@");
        }
        Object m;
        while ((m = channel.readInbound()) != null) {
          Message message = (Message) m;
          messages.add(
              List.of(
                  message.type(),
                  message.seq(),
                  String.valueOf(Values.normalize(message.body())),
                  message.chain()));
        }
      }
      if (failure != null) {
        // after a violation the decoder swallows everything: the connection is closing
        channel.writeInbound(
            Unpooled.wrappedBuffer(io.rpyc.testing.Hex.parse("00 00 00 01 00 50 0a")));
        assertNull(channel.readInbound(), "nothing is decoded after a violation");
      }
    } finally {
      channel.finishAndReleaseAll();
    }
    return new Outcome(messages, failure);
  }

  /** How many frame headers in {@code data} announce a compressed payload. */
  static int compressedFrames(byte[] data) {
    int count = 0;
    long pos = 0;
    while (pos + 5 <= data.length) {
      int p = (int) pos;
      long length =
          ((data[p] & 0xffL) << 24)
              | ((data[p + 1] & 0xff) << 16)
              | ((data[p + 2] & 0xff) << 8)
              | (data[p + 3] & 0xff);
      if (data[p + 4] != 0) {
        count++;
      }
      pos += 6 + length;
    }
    return count;
  }
}
