package io.rpyc;

import java.net.SocketAddress;
import java.time.Duration;

/**
 * A symmetric RPyC connection: either end may send requests at any time and serves the other's.
 * Obtained from {@link Rpyc#connect(String, int)} on the connecting side, and handed to a {@link
 * Service}'s {@link Service#onConnect onConnect} on the accepting side.
 *
 * <p>Thread-safe: any number of threads may share one connection; their calls are multiplexed and
 * their replies matched by sequence number. Calls made while serving a peer's request (callbacks
 * calling back) nest to any depth without deadlock; see {@code docs/threading.md}.
 *
 * <pre>{@code
 * try (Connection conn = Rpyc.connect("localhost", 18861)) {
 *   RemoteRef calc = conn.root();
 *   int sum = calc.call("add", 1, 2);
 * }
 * }</pre>
 */
public interface Connection extends AutoCloseable {

  /** The peer's root object (its service), fetched once and cached. */
  RemoteRef root();

  /**
   * The peer's root object as a typed proxy: {@code conn.root(Calculator.class).add(1, 2)}.
   *
   * @see RemoteRef#as(Class)
   */
  <T> T root(Class<T> type);

  /** Sends a PING with a payload and checks that the echo matches; fails on timeout. */
  void ping();

  /** Like {@link #ping()} with an explicit timeout. */
  void ping(Duration timeout);

  /** This side's service, which the peer sees as its root. */
  Service localService();

  /** The configuration this side applies. */
  RpycConfig config();

  /**
   * What the authenticator returned for this connection (RPyC's {@code credentials}): for example
   * the client's X.509 certificate with {@link Authenticators#tlsClientCertificate()}; {@code null}
   * without an authenticator.
   */
  Object credentials();

  /** Whether the peer negotiated the rpyc-java extension (it is a JVM). */
  boolean isJavaPeer();

  /** The local socket address. */
  SocketAddress localAddress();

  /** The peer's socket address. */
  SocketAddress remoteAddress();

  /**
   * Whether the connection has closed: true once closing has finished, so its calls have failed and
   * its tables of remote objects are empty ({@link #stats()} shows zeros). While another thread is
   * still closing it, new calls already fail but this may still say {@code false}.
   */
  boolean isClosed();

  /** A snapshot of the connection's tables and counters. */
  ConnectionStats stats();

  /**
   * Closes the connection: sends RPyC's CLOSE, drops both object tables and fails every pending
   * call at once with a {@link ConnectionClosedException}. Idempotent.
   */
  @Override
  void close();
}
