package io.rpyc;

/**
 * The connection is closed, or closed while a call was waiting for its reply. Every call pending at
 * that moment fails with this exception at once; its {@linkplain #getCause() cause} says why the
 * connection went down when that is known (a socket error, a malformed frame, the peer's CLOSE).
 */
public class ConnectionClosedException extends RpycException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with the reason the connection closed. */
  public ConnectionClosedException(String message, Throwable cause) {
    super(message, cause);
  }

  /** Creates the exception with the reason the connection closed. */
  public ConnectionClosedException(String message) {
    super(message);
  }
}
