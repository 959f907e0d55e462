package io.rpyc;

/**
 * An authenticator refused the peer, or the peer refused us. The connection is closed before any
 * request is served; on a server, no service code runs.
 */
public class AuthenticationException extends RpycException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception. */
  public AuthenticationException(String message) {
    super(message);
  }

  /** Creates the exception with a cause. */
  public AuthenticationException(String message, Throwable cause) {
    super(message, cause);
  }
}
