package io.rpyc.internal.protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * Call chains: the thread affinity of nested calls between JVMs.
 *
 * <p>Every request a thread sends to a JVM peer carries a chain id: the id of the request the
 * thread is serving, or else the thread's own id. When a request arrives whose chain has a thread
 * of this JVM blocked waiting for a reply, that thread runs it instead of a worker — the way a
 * local call stack would — so callbacks re-enter the thread that made the call, see its locks as
 * held by themselves, and nest to any depth without needing more threads. Requests of other chains
 * (and from Python peers, which send no chain) run on the executor.
 *
 * <p>Registry of waiting threads is global because a chain may cross several connections (A calls
 * B, B calls C, C calls back into B).
 */
final class CallChains {
  private static final ConcurrentHashMap<Long, Mailbox> WAITING = new ConcurrentHashMap<>();
  private static final ThreadLocal<long[]> SERVING = new ThreadLocal<>();
  private static final ThreadLocal<Long> OWN = ThreadLocal.withInitial(CallChains::newChainId);
  private static final ThreadLocal<Mailbox> MAILBOX = ThreadLocal.withInitial(Mailbox::new);

  private CallChains() {}

  private static long newChainId() {
    long id;
    do {
      id = ThreadLocalRandom.current().nextLong();
    } while (id == 0);
    return id;
  }

  /** The chain the current thread's outgoing requests belong to. */
  static long current() {
    long[] serving = SERVING.get();
    return serving != null ? serving[0] : OWN.get();
  }

  /**
   * Hands {@code task} to the thread of {@code chain} that is waiting for a reply, if there is one.
   *
   * @return {@code false} if no thread of the chain is waiting; the caller must run the task
   *     elsewhere
   */
  static boolean offer(long chain, ChainTask task) {
    Mailbox mailbox = WAITING.get(chain);
    return mailbox != null && mailbox.offer(task);
  }

  /** Runs {@code task} on {@code executor} as part of its chain. */
  static void execute(Executor executor, ChainTask task) {
    executor.execute(task);
  }

  /** The current thread's mailbox, registered as the waiter of its chain; see {@link #exit}. */
  static Mailbox enter() {
    Mailbox mailbox = MAILBOX.get();
    if (mailbox.depth++ == 0) {
      mailbox.chain = current();
      mailbox.open();
      WAITING.put(mailbox.chain, mailbox);
    }
    return mailbox;
  }

  /** Undoes {@link #enter}; the outermost exit hands left-over tasks back to their executors. */
  static void exit(Mailbox mailbox) {
    if (--mailbox.depth == 0) {
      WAITING.remove(mailbox.chain, mailbox);
      for (ChainTask task : mailbox.close()) {
        task.executor.execute(task);
      }
    }
  }

  /** A request of the peer, bound to its chain while it runs. */
  static final class ChainTask implements Runnable {
    final long chain;
    final Runnable body;
    final Executor executor;

    ChainTask(long chain, Runnable body, Executor executor) {
      this.chain = chain;
      this.body = body;
      this.executor = executor;
    }

    @Override
    public void run() {
      long[] previous = SERVING.get();
      SERVING.set(new long[] {chain != 0 ? chain : newChainId()});
      try {
        body.run();
      } finally {
        if (previous == null) {
          SERVING.remove();
        } else {
          SERVING.set(previous);
        }
      }
    }
  }

  /**
   * Where a waiting thread receives the requests of its chain. The owner thread polls; others offer
   * and unpark it.
   */
  static final class Mailbox {
    private final Thread owner = Thread.currentThread();
    private final ConcurrentLinkedQueue<ChainTask> tasks = new ConcurrentLinkedQueue<>();
    private boolean open;
    int depth;
    long chain;

    private synchronized void open() {
      open = true;
    }

    private synchronized boolean offer(ChainTask task) {
      if (!open) {
        return false;
      }
      tasks.add(task);
      LockSupport.unpark(owner);
      return true;
    }

    private synchronized List<ChainTask> close() {
      open = false;
      List<ChainTask> left = new ArrayList<>(tasks);
      tasks.clear();
      return left;
    }

    /** The next task for the owner, or {@code null}. */
    ChainTask poll() {
      return tasks.poll();
    }
  }
}
