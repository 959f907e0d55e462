package io.rpyc.internal.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.rpyc.ConnectionClosedException;
import io.rpyc.RpycException;
import io.rpyc.RpycTimeoutException;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The one ordered path from any thread to a channel (after gRPC's {@code WriteQueue}): callers
 * enqueue finished frames, and a single event-loop task writes everything queued and flushes once,
 * so frames from many threads share system calls; frames the event loop queues itself are also
 * written after every {@link #FLUSH_EVERY_ON_LOOP}. Takes ownership of the buffers.
 *
 * <p>Back-pressure: when the peer does not read, bytes pile up in Netty's outbound buffer until the
 * channel turns unwritable ({@link #HIGH_WATER_MARK}); then {@link #awaitWritable} blocks the
 * producing thread (a caller or a worker, never an I/O thread) instead of letting the buffer grow.
 */
public final class WriteQueue implements Wire {
  /** Bytes waiting to be sent above which producers wait; Netty's channel uses the same mark. */
  public static final int HIGH_WATER_MARK = 1 << 20;

  /** Bytes waiting to be sent below which a full channel becomes writable again. */
  public static final int LOW_WATER_MARK = 256 << 10;

  /** Threads that may encode frames for one connection at the same time. */
  public static final int MAX_ENCODERS = 4;

  private static final int MAX_WRITES_PER_FLUSH = 128;

  /**
   * Frames the event loop itself queues (replies to the requests it serves inline with {@code
   * directExecutor()}, but also PING, DEL and HELLO replies, exceptions, DEL batches) after which
   * it writes them at once instead of at the end of the read or task. One read of a pipelining peer
   * holds a hundred requests or more; answering all of them before the first reply left made both
   * ends take turns, each idle while the other worked. Flushing every 32 keeps both busy: the
   * pipelined row went from 170-190k to 236-279k calls/s in alternating profile runs, and the
   * server spent less CPU per call, not more. Small batches (one caller, eight) are unchanged.
   */
  static final int FLUSH_EVERY_ON_LOOP = 32;

  private final Channel channel;
  private int queuedOnLoop; // frames the event loop queued since the last drain; loop only
  private final FrameQueue queue = new FrameQueue();
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private final Semaphore encoders = new Semaphore(MAX_ENCODERS, true);

  public WriteQueue(Channel channel) {
    this.channel = channel;
  }

  /** {@inheritDoc} On an I/O thread nothing waits. */
  @Override
  public void send(Supplier<ByteBuf> encoder, Duration timeout) {
    if (Transport.isIoThread()) {
      enqueue(encoder.get());
      return;
    }
    try {
      if (!encoders.tryAcquire(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
        throw new RpycTimeoutException(
            "could not send within " + timeout + ": the connection is saturated");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RpycException("interrupted while waiting to send", e);
    }
    try {
      awaitWritable(timeout);
      enqueue(encoder.get());
    } finally {
      encoders.release();
    }
  }

  /** Queues a frame; it is written in order with every other frame queued here. */
  @Override
  public void enqueue(ByteBuf frame) {
    queue.add(frame);
    if (channel.eventLoop().inEventLoop() && ++queuedOnLoop >= FLUSH_EVERY_ON_LOOP) {
      drain(); // a long read: the replies so far go out now (see FLUSH_EVERY_ON_LOOP)
      return;
    }
    if (scheduled.compareAndSet(false, true)) {
      try {
        channel.eventLoop().execute(this::drain);
      } catch (RejectedExecutionException e) {
        queue.releaseAll();
      }
    }
  }

  /** Whether more may be queued without waiting. */
  public boolean isWritable() {
    return channel.isWritable() && queue.bytes() <= HIGH_WATER_MARK;
  }

  /**
   * Waits until the connection can take more bytes: a no-op while the peer keeps reading, and on
   * I/O threads (which must never block). Prefer {@link #send}.
   *
   * @throws RpycTimeoutException if the peer has not read enough within {@code timeout}
   * @throws ConnectionClosedException if the connection closes meanwhile
   */
  void awaitWritable(Duration timeout) {
    if (isWritable() || Transport.isIoThread()) {
      return;
    }
    queue.awaitRoom(
        this::isWritable,
        channel::isActive,
        () -> queue.bytes() + channel.unsafe().outboundBuffer().totalPendingWriteBytes(),
        timeout,
        Long.MAX_VALUE);
  }

  /** Wakes producers waiting in {@link #awaitWritable}: the channel's writability changed. */
  @Override
  public void signal() {
    queue.signal();
  }

  /** Writes what is queued, then closes the channel. */
  @Override
  public void closeAfterFlush() {
    try {
      channel
          .eventLoop()
          .execute(
              () -> {
                drain();
                channel.close();
                signal();
              });
    } catch (RejectedExecutionException e) {
      queue.releaseAll();
      channel.close();
      signal();
    }
  }

  @Override
  public ByteBufAllocator alloc() {
    return channel.alloc();
  }

  @Override
  public boolean isActive() {
    return channel.isActive();
  }

  @Override
  public void schedule(Runnable task, long delay, TimeUnit unit) {
    channel.eventLoop().schedule(task, delay, unit);
  }

  /** The event loop delivers the reply and unparks the caller. */
  @Override
  public void awaitReply(Object blocker, long nanos, BooleanSupplier ready) {
    LockSupport.parkNanos(blocker, nanos);
  }

  @Override
  public SocketAddress localAddress() {
    return channel.localAddress();
  }

  @Override
  public SocketAddress remoteAddress() {
    return channel.remoteAddress();
  }

  private void drain() {
    queuedOnLoop = 0;
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
    if (channel.isWritable()) {
      signal();
    }
  }
}
