package io.rpyc.internal.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.UnpooledDirectByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import io.netty.util.ResourceLeakTracker;
import io.netty.util.internal.PlatformDependent;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Keeps the full-size chunks of released {@linkplain LargeFrames large frames} for the next large
 * frame, one cache for direct chunks and one for heap chunks, JVM-wide.
 *
 * <p>Netty's pool frees a pool chunk (4 MiB) as soon as nothing in it is in use, so every frame of
 * more than a few megabytes took fresh memory: mapped, zeroed and faulted in page by page, which
 * was a quarter of the CPU time of a 64 MiB echo on each side. A chunk here is released to the
 * cache instead, up to {@link #LIMIT_BYTES} per cache (less with a small heap or direct memory
 * limit), and freed once it has gone unused for {@link #IDLE_SECONDS} to twice that many seconds (a
 * trimmer looks at that interval while the cache holds any).
 *
 * <p>A chunk handed out is tracked by Netty's leak detector, as a pooled buffer would be: a frame
 * dropped without being released is reported.
 *
 * <p>Thread-safe.
 */
final class ChunkCache {
  private static final ResourceLeakDetector<ByteBuf> LEAKS =
      ResourceLeakDetectorFactory.instance().newResourceLeakDetector(ByteBuf.class);

  private final ResourceLeakDetector<ByteBuf> leaks;

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

  private final LongAdder taken = new LongAdder();

  ChunkCache(boolean direct, long limitBytes, long idleNanos) {
    this(direct, limitBytes, idleNanos, LEAKS);
  }

  ChunkCache(boolean direct, long limitBytes, long idleNanos, ResourceLeakDetector<ByteBuf> leaks) {
    this.leaks = leaks;
    this.direct = direct;
    this.limit = (int) Math.min(Integer.MAX_VALUE, limitBytes / LargeFrames.CHUNK);
    this.idleNanos = idleNanos;
  }

  /** A chunk of {@link LargeFrames#CHUNK} bytes, empty, with a reference count of one. */
  ByteBuf take() {
    taken.increment();
    Chunk chunk;
    synchronized (this) {
      chunk = free.pollFirst();
    }
    if (chunk == null) {
      chunk = direct ? new DirectChunk(this) : new HeapChunk(this);
    }
    chunk.revive(leaks.track((ByteBuf) chunk));
    return (ByteBuf) chunk;
  }

  /** Chunks handed out so far, reused or new. */
  long taken() {
    return taken.sum();
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
      while (!free.isEmpty() && free.peekLast().state().releasedAt - nanoTime <= 0) {
        stale.add(free.pollLast());
      }
    }
    for (Chunk chunk : stale) {
      chunk.free();
    }
    return stale.size();
  }

  /** Takes back a released chunk; false when the cache is full and the chunk must be freed. */
  private <T extends ByteBuf & Chunk> boolean offer(T chunk) {
    if (chunk.capacity() != LargeFrames.CHUNK) {
      return false;
    }
    synchronized (this) {
      if (free.size() >= limit) {
        return false;
      }
      chunk.state().releasedAt = System.nanoTime();
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
    try {
      CompletableFuture.delayedExecutor(idleNanos, TimeUnit.NANOSECONDS).execute(this::runTrim);
    } catch (RuntimeException | Error e) {
      synchronized (this) {
        trimScheduled = false; // the next release tries again
      }
      throw e;
    }
  }

  /** What both kinds of chunk offer the cache. */
  private interface Chunk {
    /** Makes a taken chunk new: one reference, empty, tracked by {@code leak} (may be null). */
    void revive(ResourceLeakTracker<ByteBuf> leak);

    /** Frees the memory for good. */
    void free();

    ChunkState state();
  }

  /**
   * What a chunk does when its last reference goes: stops being tracked and goes back to the cache,
   * or is freed when the cache is full.
   */
  private static final class ChunkState {
    final ChunkCache cache;
    ResourceLeakTracker<ByteBuf> leak;
    long releasedAt;

    ChunkState(ChunkCache cache) {
      this.cache = cache;
    }

    /** True when the cache took the chunk back; false when it must be freed. */
    <T extends ByteBuf & Chunk> boolean released(T chunk) {
      if (leak != null) {
        leak.close(chunk);
        leak = null;
      }
      return cache.offer(chunk);
    }

    /** The part of reviving a chunk that both kinds share (the reference count is theirs). */
    void revived(ByteBuf chunk, ResourceLeakTracker<ByteBuf> tracker) {
      chunk.clear();
      chunk.markReaderIndex().markWriterIndex(); // no mark left from the last owner
      leak = tracker;
    }
  }

  // the plain (not Unsafe) buffers: they work without sun.misc.Unsafe, and chunks see bulk copies

  private static final class DirectChunk extends UnpooledDirectByteBuf implements Chunk {
    private final ChunkState state;

    DirectChunk(ChunkCache cache) {
      super(UnpooledByteBufAllocator.DEFAULT, LargeFrames.CHUNK, LargeFrames.CHUNK);
      this.state = new ChunkState(cache);
    }

    @Override
    protected void deallocate() {
      if (!state.released(this)) {
        super.deallocate();
      }
    }

    @Override
    public void revive(ResourceLeakTracker<ByteBuf> leak) {
      resetRefCnt();
      state.revived(this, leak);
    }

    @Override
    public void free() {
      super.deallocate();
    }

    @Override
    public ChunkState state() {
      return state;
    }
  }

  private static final class HeapChunk extends UnpooledHeapByteBuf implements Chunk {
    private final ChunkState state;

    HeapChunk(ChunkCache cache) {
      super(UnpooledByteBufAllocator.DEFAULT, LargeFrames.CHUNK, LargeFrames.CHUNK);
      this.state = new ChunkState(cache);
    }

    @Override
    protected void deallocate() {
      if (!state.released(this)) {
        super.deallocate();
      }
    }

    @Override
    public void revive(ResourceLeakTracker<ByteBuf> leak) {
      resetRefCnt();
      state.revived(this, leak);
    }

    @Override
    public void free() {
      super.deallocate();
    }

    @Override
    public ChunkState state() {
      return state;
    }
  }
}
