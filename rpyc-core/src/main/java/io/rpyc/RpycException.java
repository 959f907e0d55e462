package io.rpyc;

/**
 * The root of every exception rpyc-java throws. Unchecked, like the failures of a local call that
 * it stands in for; catch a subtype to act on a specific failure:
 *
 * <ul>
 *   <li>{@link RemoteInvocationException}: the remote code threw;
 *   <li>{@link RpycTimeoutException}: no reply within the timeout;
 *   <li>{@link ConnectionClosedException}: the connection is (or went) down;
 *   <li>{@link ProtocolViolationException}: the peer sent something malformed.
 * </ul>
 */
public class RpycException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Creates an exception with a message. */
  public RpycException(String message) {
    super(message);
  }

  /** Creates an exception with a message and a cause. */
  public RpycException(String message, Throwable cause) {
    super(message, cause);
  }
}
