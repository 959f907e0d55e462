package io.rpyc.internal.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.rpyc.RpycException;
import java.nio.ByteBuffer;
import java.util.zip.Deflater;

/**
 * Encodes a message into one complete frame: {@code [u32 length][u8 compressed][payload][0x0A]},
 * payload = brine {@code (type, seq, body)} or, when {@code chain != 0}, {@code (type, seq, body,
 * chain)}. Runs on whatever thread sends (the frame is then handed to the event loop as bytes), so
 * that serialization cost is paid by the caller and not by the I/O thread.
 */
public final class FrameEncoder {
  /** RPyC compresses payloads strictly longer than this. */
  public static final int COMPRESSION_THRESHOLD = 3000;

  private static final int HEADER = 5;
  private static final ThreadLocal<Deflater> DEFLATER =
      ThreadLocal.withInitial(() -> new Deflater(1));

  private FrameEncoder() {}

  /**
   * Returns a new buffer holding the frame; the caller owns it.
   *
   * @param compress whether to zlib-compress a payload above {@link #COMPRESSION_THRESHOLD}
   * @param maxPayload the largest payload allowed; larger messages fail without being sent
   * @throws RpycException if the payload is larger than {@code maxPayload}
   */
  public static ByteBuf encode(
      ByteBufAllocator alloc,
      int type,
      long seq,
      Object body,
      long chain,
      boolean javaTypes,
      boolean compress,
      int maxPayload) {
    // sized once for a large byte[] or string in the body (doubling from 64 copied it ~20 times);
    // a large frame is a run of pooled chunks (LargeFrames)
    ByteBuf frame =
        LargeFrames.buffer(alloc, Math.max(64, HEADER + 32 + BrineWriter.estimateSize(body)));
    try {
      frame.writerIndex(HEADER);
      frame.writeByte(chain != 0 ? Brine.TAG_TUP4 : Brine.TAG_TUP3);
      BrineWriter.writeCompactLong(frame, type, false);
      BrineWriter.writeCompactLong(frame, seq, javaTypes);
      BrineWriter.write(frame, body, javaTypes);
      if (chain != 0) {
        BrineWriter.writeCompactLong(frame, chain, javaTypes);
      }
      int payload = frame.writerIndex() - HEADER;
      if (payload > maxPayload) {
        throw new RpycException(
            "message of " + payload + " bytes exceeds the maximum frame size of " + maxPayload);
      }
      if (compress && payload > COMPRESSION_THRESHOLD) {
        ByteBuf compressed = deflate(alloc, frame, payload);
        frame.release();
        frame = compressed;
      } else {
        frame.setInt(0, payload);
        frame.setByte(4, 0);
      }
      frame.writeByte('\n');
      return frame;
    } catch (RuntimeException | Error e) {
      frame.release();
      throw e;
    }
  }

  private static ByteBuf deflate(ByteBufAllocator alloc, ByteBuf plain, int length) {
    Deflater deflater = DEFLATER.get();
    deflater.reset();
    byte[] scratch = LargeFrames.scratch();
    // a large payload's output grows by chunks as it comes: compressed size is anybody's guess
    ByteBuf out =
        LargeFrames.isLarge(length)
            ? new LargeFrames.Chunks(alloc)
            : alloc.buffer(HEADER + length / 2 + 64);
    try {
      out.writeZero(HEADER); // the header, set below
      // part by part: a chunked frame's nioBuffer() would copy it whole into one new buffer
      for (ByteBuffer part : plain.nioBuffers(HEADER, length)) {
        deflater.setInput(part);
        while (!deflater.needsInput()) {
          out.writeBytes(scratch, 0, deflater.deflate(scratch));
        }
      }
      deflater.finish();
      while (!deflater.finished()) {
        out.writeBytes(scratch, 0, deflater.deflate(scratch));
      }
      out.setInt(0, out.writerIndex() - HEADER);
      out.setByte(4, 1);
      return out;
    } catch (RuntimeException | Error e) {
      out.release();
      throw e;
    }
  }
}
