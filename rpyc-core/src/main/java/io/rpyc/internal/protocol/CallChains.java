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
 * <p>A request is only handed to a waiting thread if it arrives on a connection that thread is
 * waiting on: that is what makes it a nested callback of the call being waited for. (With client
 * and server in one JVM, the request being waited for itself carries the waiting thread's chain,
 * but arrives on the other end of the connection, and must run on a worker.) The registry of
 * waiting threads is global because one thread may wait on several connections at once (A calls B,
 * B calls C while serving A, and both A and C may call back into B).
 */
final class CallChains {
  /** Waiting threads by (chain, connection waited on). */
  private static final ConcurrentHashMap<Key, Mailbox> WAITING = new ConcurrentHashMap<>();

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
  static boolean offer(long chain, Object connection, ChainTask task) {
    Mailbox mailbox = WAITING.get(new Key(chain, connection));
    return mailbox != null && mailbox.offer(connection, task);
  }

  /** A chain and a connection, compared by the connection's identity. */
  private static final class Key {
    final long chain;
    final Object connection;

    Key(long chain, Object connection) {
      this.chain = chain;
      this.connection = connection;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key && ((Key) o).chain == chain && ((Key) o).connection == connection;
    }

    @Override
    public int hashCode() {
      return Long.hashCode(chain) * 31 + System.identityHashCode(connection);
    }
  }

  /** Runs {@code task} on {@code executor} as part of its chain. */
  static void execute(Executor executor, ChainTask task) {
    executor.execute(task);
  }

  /**
   * The current thread's mailbox, registered as the waiter of its chain on {@code connection}; see
   * {@link #exit}.
   */
  static Mailbox enter(Object connection) {
    Mailbox mailbox = MAILBOX.get();
    if (mailbox.push(connection, current())) {
      WAITING.put(new Key(mailbox.chain, connection), mailbox);
    }
    return mailbox;
  }

  /** Undoes {@link #enter}; the outermost exit hands tasks left over back to their executors. */
  static void exit(Mailbox mailbox, Object connection) {
    long chain = mailbox.chain;
    if (mailbox.pop(connection)) {
      WAITING.remove(new Key(chain, connection), mailbox);
    }
    ChainTask left;
    while ((left = mailbox.leftOver()) != null) {
      left.executor.execute(left);
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
        SERVING.set(previous); // not remove(): the next get() would allocate the entry again
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
    private final List<Object> waitingOn = new ArrayList<>(); // a stack; guarded by this
    long chain;

    /** Records a wait on {@code connection}; returns whether it was not waited on already. */
    private synchronized boolean push(Object connection, long currentChain) {
      if (waitingOn.isEmpty()) {
        chain = currentChain;
      }
      boolean first = !waitingOn.contains(connection);
      waitingOn.add(connection);
      return first;
    }

    /** Ends the innermost wait; returns whether {@code connection} is no longer waited on. */
    private synchronized boolean pop(Object connection) {
      waitingOn.remove(waitingOn.size() - 1);
      return !waitingOn.contains(connection);
    }

    /**
     * After the outermost wait, the next task offered too late for the owner (a task can only be
     * offered while the owner waits), or {@code null}.
     */
    private synchronized ChainTask leftOver() {
      return waitingOn.isEmpty() ? tasks.poll() : null;
    }

    private synchronized boolean offer(Object connection, ChainTask task) {
      if (!waitingOn.contains(connection)) {
        return false;
      }
      tasks.add(task);
      LockSupport.unpark(owner);
      return true;
    }

    /** Whether a task waits for the owner. */
    boolean hasTask() {
      return !tasks.isEmpty();
    }

    /** The next task for the owner, or {@code null}. */
    ChainTask poll() {
      return tasks.poll();
    }
  }
}
