package io.rpyc.testing;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledDirectByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;

/**
 * An unpooled allocator whose buffers can never hold more than {@code limit} bytes: asking for
 * more, or growing past it, throws. Lets a test prove that a decoder's buffers stay within its
 * configured limits whatever the input says.
 */
public final class BoundedAllocator extends AbstractByteBufAllocator {
  private final int limit;

  public BoundedAllocator(int limit) {
    super(false);
    this.limit = limit;
  }

  @Override
  protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
    check(initialCapacity);
    return new UnpooledHeapByteBuf(this, initialCapacity, Math.min(maxCapacity, limit));
  }

  @Override
  protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
    check(initialCapacity);
    return new UnpooledDirectByteBuf(this, initialCapacity, Math.min(maxCapacity, limit));
  }

  private void check(int capacity) {
    if (capacity > limit) {
      throw new IllegalStateException(
          "a buffer of " + capacity + " bytes was requested; the limit is " + limit);
    }
  }

  @Override
  public boolean isDirectBufferPooled() {
    return false;
  }
}
