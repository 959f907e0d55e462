package io.rpyc.internal.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The one ordered path from any thread to a channel (after gRPC's {@code WriteQueue}): callers
 * enqueue finished frames, and a single event-loop task writes everything queued and flushes once,
 * so frames from many threads share system calls. Takes ownership of the buffers.
 */
public final class WriteQueue {
  private static final int MAX_WRITES_PER_FLUSH = 128;

  private final Channel channel;
  private final ConcurrentLinkedQueue<ByteBuf> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean scheduled = new AtomicBoolean();

  public WriteQueue(Channel channel) {
    this.channel = channel;
  }

  /** Queues a frame; it is written in order with every other frame queued here. */
  public void enqueue(ByteBuf frame) {
    queue.add(frame);
    if (scheduled.compareAndSet(false, true)) {
      try {
        channel.eventLoop().execute(this::drain);
      } catch (RejectedExecutionException e) {
        releaseAll();
      }
    }
  }

  /** Writes what is queued, then closes the channel. */
  public void closeAfterFlush() {
    try {
      channel
          .eventLoop()
          .execute(
              () -> {
                drain();
                channel.close();
              });
    } catch (RejectedExecutionException e) {
      releaseAll();
      channel.close();
    }
  }

  private void drain() {
    do {
      scheduled.set(true);
      ByteBuf frame;
      int n = 0;
      while ((frame = queue.poll()) != null) {
        channel.write(frame, channel.voidPromise());
        if (++n == MAX_WRITES_PER_FLUSH) {
          channel.flush();
          n = 0;
        }
      }
      channel.flush();
      scheduled.set(false);
    } while (!queue.isEmpty() && scheduled.compareAndSet(false, true));
  }

  private void releaseAll() {
    ByteBuf frame;
    while ((frame = queue.poll()) != null) {
      frame.release();
    }
  }
}
