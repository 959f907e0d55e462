package io.rpyc.internal.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.UnpooledUnsafeDirectByteBuf;
import io.netty.buffer.UnpooledUnsafeHeapByteBuf;
import io.netty.util.internal.PlatformDependent;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Keeps the full-size chunks of released {@linkplain LargeFrames large frames} for the next large
 * frame, one cache for direct chunks and one for heap chunks, JVM-wide.
 *
 * <p>Netty's pool frees a pool chunk (4 MiB) as soon as nothing in it is in use, so every frame of
 * more than a few megabytes took fresh memory: mapped, zeroed and faulted in page by page, which
 * was a quarter of the CPU time of a 64 MiB echo on each side. A chunk here is released to the
 * cache instead, up to {@link #LIMIT_BYTES} per cache (less with a small heap or direct memory
 * limit), and freed once it has gone unused for {@link #IDLE_SECONDS} seconds.
 *
 * <p>Thread-safe.
 */
final class ChunkCache {
  /**
   * The most bytes each cache keeps: {@code -Drpyc.largeFrameCacheMiB}, default 64; 0 turns reuse
   * off.
   */
  static final long LIMIT_BYTES =
      Math.max(0, Math.min(Long.getLong("rpyc.largeFrameCacheMiB", 64), 1L << 30)) << 20;

  /** How long a chunk may go unused before the cache frees it. */
  static final long IDLE_SECONDS = 30;

  /** Direct chunks; at most an eighth of the direct memory the JVM allows. */
  static final ChunkCache DIRECT =
      new ChunkCache(
          true,
          Math.min(LIMIT_BYTES, PlatformDependent.maxDirectMemory() / 8),
          TimeUnit.SECONDS.toNanos(IDLE_SECONDS));

  /** Heap chunks; at most an eighth of the heap. */
  static final ChunkCache HEAP =
      new ChunkCache(
          false,
          Math.min(LIMIT_BYTES, Runtime.getRuntime().maxMemory() / 8),
          TimeUnit.SECONDS.toNanos(IDLE_SECONDS));

  private final boolean direct;
  private final int limit;
  private final long idleNanos;

  /** Most recently released first, so that the oldest are at the tail, where trimming looks. */
  private final ArrayDeque<Chunk> free = new ArrayDeque<>();

  private boolean trimScheduled;

  ChunkCache(boolean direct, long limitBytes, long idleNanos) {
    this.direct = direct;
    this.limit = (int) Math.min(Integer.MAX_VALUE, limitBytes / LargeFrames.CHUNK);
    this.idleNanos = idleNanos;
  }

  /** A chunk of {@link LargeFrames#CHUNK} bytes, empty, with a reference count of one. */
  ByteBuf take() {
    Chunk chunk;
    synchronized (this) {
      chunk = free.pollFirst();
    }
    if (chunk == null) {
      return direct ? new DirectChunk(this) : new HeapChunk(this);
    }
    chunk.revive();
    return (ByteBuf) chunk;
  }

  /** Chunks held now. */
  synchronized int size() {
    return free.size();
  }

  /**
   * The trimmer: frees the chunks unused for the idle time, and looks again later if any are left.
   */
  private void runTrim() {
    synchronized (this) {
      trimScheduled = false;
    }
    trim(System.nanoTime() - idleNanos);
    scheduleTrimIfNeeded();
  }

  /** Frees the chunks released before {@code nanoTime}; returns how many. */
  int trim(long nanoTime) {
    List<Chunk> stale = new ArrayList<>();
    synchronized (this) {
      while (!free.isEmpty() && free.peekLast().releasedAt() - nanoTime <= 0) {
        stale.add(free.pollLast());
      }
    }
    for (Chunk chunk : stale) {
      chunk.free();
    }
    return stale.size();
  }

  /** Takes back a released chunk; false when the cache is full and the chunk must be freed. */
  private boolean offer(Chunk chunk, int capacity) {
    if (capacity != LargeFrames.CHUNK) {
      return false;
    }
    synchronized (this) {
      if (free.size() >= limit) {
        return false;
      }
      chunk.releasedAt(System.nanoTime());
      free.addFirst(chunk);
    }
    scheduleTrimIfNeeded();
    return true;
  }

  private void scheduleTrimIfNeeded() {
    synchronized (this) {
      if (trimScheduled || free.isEmpty()) {
        return;
      }
      trimScheduled = true;
    }
    CompletableFuture.delayedExecutor(idleNanos, TimeUnit.NANOSECONDS).execute(this::runTrim);
  }

  /** What both kinds of chunk offer the cache. */
  private interface Chunk {
    void revive();

    void free();

    long releasedAt();

    void releasedAt(long nanoTime);
  }

  private static final class DirectChunk extends UnpooledUnsafeDirectByteBuf implements Chunk {
    private final ChunkCache cache;
    private long releasedAt;

    DirectChunk(ChunkCache cache) {
      super(UnpooledByteBufAllocator.DEFAULT, LargeFrames.CHUNK, LargeFrames.CHUNK);
      this.cache = cache;
    }

    @Override
    protected void deallocate() {
      if (!cache.offer(this, capacity())) {
        super.deallocate();
      }
    }

    @Override
    public void revive() {
      resetRefCnt();
      clear();
    }

    @Override
    public void free() {
      super.deallocate();
    }

    @Override
    public long releasedAt() {
      return releasedAt;
    }

    @Override
    public void releasedAt(long nanoTime) {
      releasedAt = nanoTime;
    }
  }

  private static final class HeapChunk extends UnpooledUnsafeHeapByteBuf implements Chunk {
    private final ChunkCache cache;
    private long releasedAt;

    HeapChunk(ChunkCache cache) {
      super(UnpooledByteBufAllocator.DEFAULT, LargeFrames.CHUNK, LargeFrames.CHUNK);
      this.cache = cache;
    }

    @Override
    protected void deallocate() {
      if (!cache.offer(this, capacity())) {
        super.deallocate();
      }
    }

    @Override
    public void revive() {
      resetRefCnt();
      clear();
    }

    @Override
    public void free() {
      super.deallocate();
    }

    @Override
    public long releasedAt() {
      return releasedAt;
    }

    @Override
    public void releasedAt(long nanoTime) {
      releasedAt = nanoTime;
    }
  }
}
