package io.rpyc.internal.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link WriteQueue} on an {@link EmbeddedChannel}, whose test thread is its event loop. */
class WriteQueueTest {
  private final EmbeddedChannel channel = new EmbeddedChannel();
  private final WriteQueue queue = new WriteQueue(channel);
  private int next;

  @AfterEach
  void close() {
    channel.finishAndReleaseAll();
  }

  private void enqueue(int frames) {
    for (int i = 0; i < frames; i++) {
      queue.enqueue(Unpooled.buffer(4).writeInt(next++));
    }
  }

  /** The frames the channel has written so far, by the number each carries. */
  private List<Integer> written() {
    List<Integer> numbers = new ArrayList<>();
    ByteBuf frame;
    while ((frame = channel.readOutbound()) != null) {
      numbers.add(frame.readInt());
      frame.release();
    }
    return numbers;
  }

  private static List<Integer> range(int from, int to) {
    List<Integer> numbers = new ArrayList<>();
    for (int i = from; i < to; i++) {
      numbers.add(i);
    }
    return numbers;
  }

  @Test
  void framesQueuedOnTheLoop_waitForItsDrainTask_untilThereAreEnough() {
    int few = WriteQueue.FLUSH_EVERY_ON_LOOP - 1;
    enqueue(few);
    assertEquals(List.of(), written(), "a few replies wait for the end of the read");

    channel.runPendingTasks();
    assertEquals(range(0, few), written());
  }

  @Test
  void aLongReadsReplies_goOutEveryFlushEveryOnLoop_inOrder() {
    int n = WriteQueue.FLUSH_EVERY_ON_LOOP;
    enqueue(n);
    assertEquals(range(0, n), written(), "written before the read ends");

    enqueue(n + 5);
    assertEquals(range(n, 2 * n), written(), "and again after as many more");

    channel.runPendingTasks();
    assertEquals(range(2 * n, 2 * n + 5), written(), "the rest at the end of the read");
  }

  @Test
  void theCountStartsAgainAfterEachDrain() {
    int few = WriteQueue.FLUSH_EVERY_ON_LOOP - 1;
    enqueue(few);
    channel.runPendingTasks();
    written();

    enqueue(few);
    assertEquals(List.of(), written(), "the frames drained before do not count");
    channel.runPendingTasks();
    assertEquals(range(few, 2 * few), written());
  }
}
