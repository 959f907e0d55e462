package io.rpyc.internal.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;

/**
 * Frames from {@link #THRESHOLD} bytes up are held as runs of chunks of at most {@link #CHUNK}
 * bytes instead of in one buffer, both when they are encoded and while they arrive.
 *
 * <p>One contiguous buffer per large frame was the cost of a large echo: a pooled allocator serves
 * at most a few megabytes from its arenas, so a 64 MiB buffer was freshly mapped memory each time
 * (a server took 56,000 page faults per 64 MiB echo, about half its CPU time), and a buffer grown
 * as the bytes arrive copied everything received so far at each doubling. Chunks come from the
 * pool, are reused, and are never copied to grow.
 */
public final class LargeFrames {
  /** Frames of at least this many bytes are chunked. */
  public static final int THRESHOLD = 256 << 10;

  /** The largest chunk. */
  public static final int CHUNK = 256 << 10;

  private LargeFrames() {}

  /** Whether a frame of {@code length} bytes (header and trailer included) is chunked. */
  public static boolean isLarge(long length) {
    return length >= THRESHOLD;
  }

  /**
   * Returns an empty buffer with room for {@code capacity} bytes: one buffer below {@link
   * #THRESHOLD}, otherwise a composite of chunks that are all allocated now (writing into it never
   * copies). Either grows like any buffer if more is written.
   */
  public static ByteBuf buffer(ByteBufAllocator alloc, int capacity) {
    if (!isLarge(capacity)) {
      return alloc.buffer(capacity);
    }
    CompositeByteBuf frame = alloc.compositeBuffer(Integer.MAX_VALUE);
    try {
      for (int left = capacity; left > 0; left -= CHUNK) {
        ByteBuf chunk = alloc.buffer(Math.min(left, CHUNK));
        // a component spans its buffer's readable bytes: make the whole chunk room to write into
        frame.addComponent(false, chunk.writerIndex(chunk.capacity()));
      }
    } catch (RuntimeException | Error e) {
      frame.release();
      throw e;
    }
    return frame;
  }
}
