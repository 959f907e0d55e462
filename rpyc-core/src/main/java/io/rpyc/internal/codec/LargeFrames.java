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
 * as the bytes arrive copied everything received so far at each doubling. Chunks are never copied
 * to grow; full-size ones are kept for the next large frame by {@link ChunkCache}, since the pool
 * unmaps its memory as soon as nothing in it is in use.
 */
public final class LargeFrames {
  /** Frames of at least this many bytes are chunked. */
  public static final int THRESHOLD = 256 << 10;

  /** The largest chunk. */
  public static final int CHUNK = 256 << 10;

  private static final ThreadLocal<byte[]> SCRATCH =
      ThreadLocal.withInitial(() -> new byte[64 << 10]);

  private LargeFrames() {}

  /**
   * This thread's 64 KiB staging array, for bytes produced in pieces on their way into a buffer
   * (zlib's output): a {@link Chunks} offers no one contiguous region to produce them into.
   */
  static byte[] scratch() {
    return SCRATCH.get();
  }

  /**
   * An empty chunk of {@link #CHUNK} bytes for a large frame, direct or on the heap; released, it
   * goes back to the {@link ChunkCache} for the next large frame.
   */
  public static ByteBuf fullChunk(boolean direct) {
    return (direct ? ChunkCache.DIRECT : ChunkCache.HEAP).take();
  }

  /** Whether a frame of {@code length} bytes (header and trailer included) is chunked. */
  public static boolean isLarge(long length) {
    return length >= THRESHOLD;
  }

  /**
   * Returns an empty buffer with room for {@code capacity} bytes: one buffer below {@link
   * #THRESHOLD}, otherwise {@link Chunks} allocated now. Either grows if more is written.
   */
  public static ByteBuf buffer(ByteBufAllocator alloc, int capacity) {
    if (!isLarge(capacity)) {
      return alloc.buffer(capacity);
    }
    Chunks frame = new Chunks(alloc);
    try {
      frame.capacity(capacity);
    } catch (RuntimeException | Error e) {
      frame.release();
      throw e;
    }
    return frame;
  }

  /**
   * A composite buffer that grows by adding chunks of at most {@link #CHUNK} bytes from its
   * allocator, where a plain {@link CompositeByteBuf} would add one buffer of the whole growth (as
   * large as the frame, and fresh memory beyond a few megabytes). Growth follows the allocator's
   * usual steps (doubling, then 4 MiB at a time), so the room it holds is bounded by what was
   * written.
   */
  public static final class Chunks extends CompositeByteBuf {
    /** Where full chunks come from: the cache of the kind the allocator gives; null until known. */
    private ChunkCache cache;

    Chunks(ByteBufAllocator alloc) {
      super(alloc, false, Integer.MAX_VALUE);
    }

    @Override
    public CompositeByteBuf capacity(int newCapacity) {
      int old = capacity();
      if (newCapacity <= old) {
        return super.capacity(newCapacity);
      }
      if (newCapacity > maxCapacity()) {
        throw new IllegalArgumentException("capacity " + newCapacity + " > " + maxCapacity());
      }
      for (int left = newCapacity - old; left > 0; ) {
        ByteBuf chunk = left >= CHUNK ? cache().take() : alloc().buffer(left);
        left -= chunk.capacity();
        // a component spans its buffer's readable bytes: make the whole chunk room to write into
        addComponent(false, chunk.writerIndex(chunk.capacity()));
      }
      return this;
    }

    private ChunkCache cache() {
      if (cache == null) {
        ByteBuf probe = alloc().buffer(1); // the allocator's kind: there is no getter for it
        cache = probe.isDirect() ? ChunkCache.DIRECT : ChunkCache.HEAP;
        probe.release();
      }
      return cache;
    }
  }
}
