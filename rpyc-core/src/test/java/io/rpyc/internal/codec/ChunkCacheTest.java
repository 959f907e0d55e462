package io.rpyc.internal.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.rpyc.testing.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ChunkCacheTest {
  private static final long HOUR = TimeUnit.HOURS.toNanos(1);

  @Test
  void aReleasedChunk_isTakenAgain_emptyAndLive() {
    for (boolean direct : new boolean[] {true, false}) {
      ChunkCache cache = new ChunkCache(direct, 4L * LargeFrames.CHUNK, HOUR);
      ByteBuf first = cache.take();
      assertEquals(direct, first.isDirect());
      assertEquals(LargeFrames.CHUNK, first.capacity());
      first.writeLong(42).readByte();
      assertTrue(first.release());
      assertEquals(1, cache.size());

      ByteBuf again = cache.take();
      assertSame(first, again, "the same chunk, not fresh memory");
      assertEquals(1, again.refCnt());
      assertEquals(0, again.readerIndex());
      assertEquals(0, again.writerIndex());
      assertEquals(0, cache.size());
      again.release();
      assertEquals(1, cache.trim(System.nanoTime()));
    }
  }

  @Test
  void theCacheKeepsAtMostItsLimit_andFreesTheRest() {
    ChunkCache cache = new ChunkCache(false, 2L * LargeFrames.CHUNK, HOUR); // heap: see below
    List<ByteBuf> chunks = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      chunks.add(cache.take());
    }
    chunks.forEach(ByteBuf::release);
    assertEquals(2, cache.size());
    for (int i = 0; i < 5; i++) {
      // a freed heap chunk has dropped its array; a kept one still has it
      int expected = i < 2 ? LargeFrames.CHUNK : 0;
      assertEquals(expected, chunks.get(i).capacity(), "chunk " + i);
    }

    ChunkCache off = new ChunkCache(true, 0, HOUR);
    ByteBuf chunk = off.take();
    chunk.release();
    assertEquals(0, off.size(), "a limit of 0 keeps nothing");
    ByteBuf fresh = off.take();
    assertNotSame(chunk, fresh);
    fresh.release();
  }

  @Test
  void chunksUnusedForTheIdleTime_areFreed_andRecentOnesKept() throws Exception {
    ChunkCache cache = new ChunkCache(true, 8L * LargeFrames.CHUNK, HOUR);
    ByteBuf old = cache.take();
    old.release();
    long between = System.nanoTime();
    Thread.sleep(2);
    ByteBuf recent = cache.take(); // the old one again: take a second one to have two
    ByteBuf second = cache.take();
    recent.release();
    second.release();
    assertEquals(2, cache.size());
    assertEquals(0, cache.trim(between), "both were released after that");
    assertEquals(2, cache.trim(System.nanoTime()));
    assertEquals(0, cache.size());

    ChunkCache quick = new ChunkCache(false, 8L * LargeFrames.CHUNK, 50_000_000L);
    quick.take().release();
    assertEquals(1, quick.size());
    // the trimmer runs by itself, with nobody taking or releasing chunks
    Await.until(Duration.ofSeconds(10), () -> quick.size() == 0, "the idle chunk to be freed");
  }

  @Test
  void aChunkDroppedWithoutRelease_isReportedAsALeak_andAReleasedOneIsNot() throws Exception {
    ResourceLeakDetector.Level level = ResourceLeakDetector.getLevel();
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID); // track every chunk
    List<String> leaks = new CopyOnWriteArrayList<>();
    ResourceLeakDetector<ByteBuf> detector =
        new ResourceLeakDetector<>(ByteBuf.class, 1) {
          @Override
          protected boolean needReport() {
            return true; // whatever the test logger's level
          }
        };
    detector.setLeakListener((type, records) -> leaks.add(type));
    try {
      ChunkCache cache = new ChunkCache(false, 8L * LargeFrames.CHUNK, HOUR, detector);
      cache.take().release(); // released: no leak
      cache.take(); // dropped
      for (int i = 0; i < 50 && leaks.isEmpty(); i++) {
        System.gc();
        Thread.sleep(20);
        ByteBuf probe = cache.take(); // tracking a new one reports what the GC found
        probe.release();
      }
      assertEquals(List.of("ByteBuf"), leaks, "exactly the dropped chunk");
    } finally {
      ResourceLeakDetector.setLevel(level);
    }
  }

  @Test
  void aLargeFrame_releasedAndBuiltAgain_reusesItsFullChunks() {
    PooledByteBufAllocator alloc = new PooledByteBufAllocator(false); // heap, as a client's
    int size = 4 * LargeFrames.CHUNK + 1000;
    CompositeByteBuf first = (CompositeByteBuf) LargeFrames.buffer(alloc, size);
    Map<byte[], Boolean> chunks = fullChunkArrays(first);
    byte[] data = new byte[size];
    for (int i = 0; i < size; i++) {
      data[i] = (byte) (i * 31);
    }
    first.writeBytes(data);
    first.release();

    CompositeByteBuf second = (CompositeByteBuf) LargeFrames.buffer(alloc, size);
    try {
      int reused = 0;
      for (byte[] c : fullChunkArrays(second).keySet()) {
        reused += chunks.containsKey(c) ? 1 : 0;
      }
      assertEquals(4, reused, "the four full chunks come back");
      assertEquals(size, second.capacity());
      assertEquals(0, second.readableBytes());
      byte[] other = new byte[size];
      for (int i = 0; i < size; i++) {
        other[i] = (byte) (i * 7 + 3);
      }
      second.writeBytes(other);
      byte[] back = new byte[size];
      second.getBytes(0, back);
      assertTrue(java.util.Arrays.equals(other, back), "the bytes written, not the old ones");
      assertFalse(second.isDirect());
    } finally {
      second.release();
    }
  }

  /** The arrays behind a heap frame's full chunks: the memory itself, whatever object wraps it. */
  private static Map<byte[], Boolean> fullChunkArrays(CompositeByteBuf frame) {
    Map<byte[], Boolean> out = new IdentityHashMap<>();
    for (int i = 0; i < frame.numComponents(); i++) {
      ByteBuf c = frame.internalComponent(i);
      if (c.capacity() == LargeFrames.CHUNK) {
        out.put(c.array(), true);
      }
    }
    return out;
  }
}
