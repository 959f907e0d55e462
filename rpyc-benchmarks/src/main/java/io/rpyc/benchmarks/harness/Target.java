package io.rpyc.benchmarks.harness;

/**
 * One system under test as the harness drives it. An operation a target does not have throws {@link
 * UnsupportedOperationException}, and its row shows N/A.
 */
abstract class Target implements AutoCloseable {
  final String key;
  final String label;

  Target(String key, String label) {
    this.key = key;
    this.label = label;
  }

  /** One synchronous {@code add} from a caller alone; {@link #add(int, int, int)} for several. */
  abstract int add(int a, int b) throws Exception;

  /**
   * One synchronous {@code add} while {@code threads} threads call at once (1: a thread alone).
   * Thread-safe where {@link #sharesConnection()}; a target whose shared connection works
   * differently from a lone caller's overrides it.
   */
  int add(int a, int b, int threads) throws Exception {
    return add(a, b);
  }

  /** Whether many threads may call {@link #add} at once over one connection (or stub). */
  boolean sharesConnection() {
    return true;
  }

  /**
   * Pipelined adds on one connection for {@code nanos} or {@code maxCalls}, whichever comes first,
   * with at most {@code window} outstanding. Returns the number completed.
   */
  long pipelined(int window, long nanos, long maxCalls) throws Exception {
    throw new UnsupportedOperationException();
  }

  /** Echoes {@code data}; returns the length of what came back. */
  int echo(byte[] data) throws Exception {
    throw new UnsupportedOperationException();
  }

  /** Whether an echo of {@code size} bytes takes so long here that it is measured only once. */
  boolean slowEcho(int size) {
    return false;
  }

  /** Fetches a remote list of {@code n} items once; the returned call asks for its size. */
  SizeCall remoteList(int n) throws Exception {
    throw new UnsupportedOperationException();
  }

  /** Creates a remote object and drops the handle at once. */
  void newObject() throws Exception {
    throw new UnsupportedOperationException();
  }

  /** The owner's export table size (or its closest equivalent). */
  int exportedObjects() throws Exception {
    throw new UnsupportedOperationException();
  }

  /** Why a row looks as it does for this target, or {@code null}. */
  String note(String rowId) {
    return null;
  }

  @Override
  public abstract void close();

  /** A call on a remote list. */
  interface SizeCall {
    int size() throws Exception;
  }
}
