package io.rpyc.internal.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalServerChannel;
import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Loop-side early drains racing with frames from other threads: nothing lost, per-producer order.
 */
class WriteQueueConcurrencyTest {
  @ParameterizedTest
  @ValueSource(ints = {1, 2})
  void loopAndOtherThreads_allFramesArrive_inProducerOrder(int loops) throws Exception {
    DefaultEventLoopGroup group = new DefaultEventLoopGroup(loops);
    int producers = 3;
    int perProducer = 20_000;
    int loopBatches = 400;
    int loopBatch = 77;
    int total = producers * perProducer + loopBatches * loopBatch;
    ConcurrentLinkedQueue<Long> received = new ConcurrentLinkedQueue<>();
    CountDownLatch all = new CountDownLatch(total);
    LocalAddress address = new LocalAddress("wq-" + loops + "-" + System.nanoTime());
    Channel server =
        new ServerBootstrap()
            .group(group)
            .channel(LocalServerChannel.class)
            .childHandler(
                new ChannelInboundHandlerAdapter() {
                  @Override
                  public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    ByteBuf b = (ByteBuf) msg;
                    while (b.readableBytes() >= 8) { // LocalChannel coalesces messages
                      received.add(b.readLong());
                      all.countDown();
                    }
                    b.release();
                  }
                })
            .bind(address)
            .sync()
            .channel();
    Channel ch =
        new Bootstrap()
            .group(group)
            .channel(LocalChannel.class)
            .handler(new ChannelInboundHandlerAdapter())
            .connect(address)
            .sync()
            .channel();
    WriteQueue queue = new WriteQueue(ch);
    try {
      Thread[] threads = new Thread[producers];
      for (int p = 0; p < producers; p++) {
        long tag = (long) (p + 1) << 32;
        threads[p] =
            new Thread(
                () -> {
                  for (int i = 0; i < perProducer; i++) {
                    queue.enqueue(Unpooled.buffer(8).writeLong(tag | i));
                  }
                });
      }
      for (Thread t : threads) {
        t.start();
      }
      int[] next = {0};
      for (int b = 0; b < loopBatches; b++) {
        ch.eventLoop()
            .execute(
                () -> {
                  for (int i = 0; i < loopBatch; i++) {
                    queue.enqueue(Unpooled.buffer(8).writeLong(next[0]++));
                  }
                });
      }
      for (Thread t : threads) {
        t.join();
      }
      assertTrue(all.await(30, TimeUnit.SECONDS), "lost frames: " + all.getCount());
      long[] last = new long[producers + 1];
      Arrays.fill(last, -1);
      for (long v : received) {
        int p = (int) (v >>> 32);
        long i = v & 0xffffffffL;
        assertEquals(last[p] + 1, i, "producer " + p + " out of order");
        last[p] = i;
      }
      assertEquals(total, received.size());
    } finally {
      ch.close().sync();
      server.close().sync();
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
  }
}
