package io.rpyc.internal.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.rpyc.ProtocolViolationException;
import io.rpyc.Tuple;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Turns the byte stream into {@link Message}s: splits frames, inflates compressed ones, decodes the
 * brine envelope. One instance per channel.
 *
 * <p>Limits: a frame whose header announces more than {@code maxFrameSize} payload bytes, or whose
 * compressed payload inflates beyond it, is refused before the bytes are buffered or inflated; so
 * is nesting deeper than {@code maxDepth}. Any violation raises a {@link
 * ProtocolViolationException} (delivered to {@code exceptionCaught}) and the decoder discards
 * everything after it: the connection is expected to close.
 */
public final class FrameDecoder extends ByteToMessageDecoder {
  private static final int HEADER = 5;
  private static final ThreadLocal<Inflater> INFLATER = ThreadLocal.withInitial(Inflater::new);

  private final int maxFrameSize;
  private final int maxDepth;
  private boolean failed;

  public FrameDecoder(int maxFrameSize, int maxDepth) {
    this.maxFrameSize = maxFrameSize;
    this.maxDepth = maxDepth;
    setCumulator(this::cumulate);
  }

  /**
   * Netty's merge cumulator grows its buffer to exactly what has arrived, copying everything on
   * each growth, which makes a 64 MiB frame quadratic. A {@linkplain LargeFrames large} frame is
   * instead copied once into pooled {@link LargeFrames.Chunks} (the read buffers themselves are not
   * kept: a peer sending a byte per packet would make each of them a component); a smaller one
   * grows its buffer geometrically (linear copying overall), but never beyond the frame the header
   * announces. Either way a buffer holds at most about twice what actually arrived: a hostile
   * header alone allocates nothing.
   */
  private ByteBuf cumulate(ByteBufAllocator alloc, ByteBuf cumulation, ByteBuf in) {
    if (!cumulation.isReadable() || cumulation.refCnt() > 1 || cumulation.isReadOnly()) {
      return MERGE_CUMULATOR.cumulate(alloc, cumulation, in);
    }
    long frame = announced(cumulation);
    int needed = cumulation.readableBytes() + in.readableBytes();
    boolean full = needed > cumulation.capacity() - cumulation.readerIndex();
    boolean chunked = cumulation instanceof LargeFrames.Chunks;
    if (LargeFrames.isLarge(frame) && (full || chunked)) {
      return append(chunked ? cumulation : new LargeFrames.Chunks(alloc), cumulation, in);
    }
    if (chunked) {
      // what follows a large frame: back to one buffer (only this small rest is copied)
      return append(alloc.buffer(Math.max(needed, 256)), cumulation, in);
    }
    if (in.readableBytes() > cumulation.maxWritableBytes()) {
      return MERGE_CUMULATOR.cumulate(alloc, cumulation, in);
    }
    if (full && frame > 0) {
      long doubled = Math.max(needed, 2L * cumulation.capacity());
      int capacity =
          (int) Math.max(needed, Math.min(doubled, Math.min(frame, maxFrameSize + HEADER + 1L)));
      return append(alloc.buffer(capacity), cumulation, in);
    }
    return MERGE_CUMULATOR.cumulate(alloc, cumulation, in);
  }

  /**
   * Copies {@code cumulation} and {@code in} into {@code to}, a new buffer, or only {@code in} when
   * {@code to} is the cumulation. Releases {@code in}, and the replaced cumulation on success; on
   * failure the decoder still holds the cumulation, untouched (as with Netty's own cumulators).
   */
  private static ByteBuf append(ByteBuf to, ByteBuf cumulation, ByteBuf in) {
    boolean fresh = to != cumulation;
    ByteBuf release = fresh ? to : null;
    try {
      if (fresh) {
        to.writeBytes(cumulation, cumulation.readerIndex(), cumulation.readableBytes());
      }
      to.writeBytes(in);
      release = fresh ? cumulation : null;
      return to;
    } finally {
      if (release != null) {
        release.release();
      }
      in.release();
    }
  }

  /**
   * The whole length (header and trailer included) of the frame starting at {@code in}'s reader
   * index, or 0 while its header has not arrived.
   */
  public static long announced(ByteBuf in) {
    return in.readableBytes() < HEADER ? 0 : HEADER + in.getUnsignedInt(in.readerIndex()) + 1;
  }

  /** What has arrived and not been decoded yet (for tests). */
  ByteBuf cumulation() {
    return internalBuffer();
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    decodeFrames(ctx.alloc(), in, out);
  }

  /**
   * Decodes every whole frame in {@code in} into {@code out}, leaving a partial one unread: the
   * decoder without Netty's pipeline, for transports that read the socket themselves.
   *
   * @throws ProtocolViolationException on a malformed frame; everything after it is discarded
   */
  public void decodeFrames(ByteBufAllocator alloc, ByteBuf in, List<Object> out) {
    if (failed) {
      in.skipBytes(in.readableBytes());
      return;
    }
    try {
      while (in.readableBytes() >= HEADER) {
        int start = in.readerIndex();
        long length = in.getUnsignedInt(start);
        if (length > maxFrameSize) {
          throw new ProtocolViolationException(
              "frame of " + length + " bytes exceeds the maximum frame size of " + maxFrameSize);
        }
        if (in.readableBytes() < HEADER + length + 1) {
          return;
        }
        boolean compressed = in.getByte(start + 4) != 0;
        ByteBuf payload = in.slice(start + HEADER, (int) length);
        in.readerIndex(start + HEADER + (int) length + 1); // the trailer byte is not checked
        if (length == 0) {
          continue; // RPyC treats an empty payload as nothing received
        }
        if (compressed) {
          ByteBuf inflated = inflate(alloc, payload);
          try {
            out.add(decodePayload(inflated));
          } finally {
            inflated.release();
          }
        } else {
          out.add(decodePayload(payload));
        }
      }
    } catch (ProtocolViolationException e) {
      failed = true;
      in.skipBytes(in.readableBytes());
      throw e;
    }
  }

  /** Decodes one uncompressed payload into a message. Public for tests and fuzzing. */
  public Message decodePayload(ByteBuf payload) {
    int first = payload.getUnsignedByte(payload.readerIndex());
    if (first >= Message.REQUEST && first <= Message.EXCEPTION) {
      throw new ProtocolViolationException(
          "RPyC 6 peers are not supported yet (payload starts with the raw message type "
              + first
              + "; RPyC 5.x payloads start with a brine tuple)");
    }
    Object value = BrineReader.read(payload, maxDepth);
    if (payload.isReadable()) {
      throw new ProtocolViolationException(
          payload.readableBytes() + " unexpected bytes after the message in a frame");
    }
    if (!(value instanceof Tuple)) {
      throw new ProtocolViolationException("a message must be a tuple");
    }
    Tuple t = (Tuple) value;
    if (t.size() != 3 && t.size() != 4) {
      throw new ProtocolViolationException(
          "a message must be a 3-tuple, got " + t.size() + " items");
    }
    long type = longOf(t.get(0), "message type");
    if (type < Message.REQUEST || type > Message.EXCEPTION) {
      throw new ProtocolViolationException("invalid message type: " + t.get(0));
    }
    long seq = longOf(t.get(1), "sequence number");
    long chain = t.size() == 4 ? longOf(t.get(3), "call chain") : 0;
    return new Message((int) type, seq, t.get(2), chain);
  }

  private static long longOf(Object v, String what) {
    if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    }
    if (v instanceof BigInteger && ((BigInteger) v).bitLength() < 64) {
      return ((BigInteger) v).longValue();
    }
    throw new ProtocolViolationException("the " + what + " must be an integer, got " + v);
  }

  private ByteBuf inflate(ByteBufAllocator alloc, ByteBuf compressed) {
    Inflater inflater = INFLATER.get();
    inflater.reset();
    byte[] scratch = LargeFrames.scratch();
    ByteBuf out = new LargeFrames.Chunks(alloc);
    try {
      // part by part: a chunked frame's nioBuffer() would copy it whole into one new buffer
      for (ByteBuffer part : compressed.nioBuffers()) {
        inflater.setInput(part);
        while (!inflater.needsInput() && !inflater.finished()) {
          int n =
              inflater.inflate(
                  scratch,
                  0,
                  (int) Math.min(scratch.length, maxFrameSize + 1L - out.writerIndex()));
          if (out.writerIndex() + (long) n > maxFrameSize) {
            throw new ProtocolViolationException(
                "compressed frame inflates beyond the maximum frame size of " + maxFrameSize);
          }
          out.writeBytes(scratch, 0, n);
          if (n == 0 && inflater.needsDictionary()) {
            throw new ProtocolViolationException("a zlib stream with a preset dictionary");
          }
        }
      }
      if (!inflater.finished()) {
        throw new ProtocolViolationException("truncated or invalid zlib stream in a frame");
      }
      return out;
    } catch (DataFormatException e) {
      out.release();
      throw new ProtocolViolationException("invalid zlib stream in a frame: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      out.release();
      throw e;
    }
  }
}
