package io.rpyc;

/**
 * Bytes that do not follow RPyC's wire protocol: a malformed frame, an unknown brine tag, a
 * truncated value, invalid UTF-8, a frame above the configured maximum size, nesting deeper than
 * the limit. The connection that carried them is closed (with a CLOSE to the peer and a logged
 * reason); other connections are unaffected.
 */
public class ProtocolViolationException extends RpycException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception. */
  public ProtocolViolationException(String message) {
    super(message);
  }

  /** Creates the exception with a cause. */
  public ProtocolViolationException(String message, Throwable cause) {
    super(message, cause);
  }
}
