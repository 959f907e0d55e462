package io.rpyc;

/**
 * A synchronous request got no reply within its timeout (RPyC's "result expired"). The remote call
 * is not cancelled; a reply that arrives later is dropped, and any remote objects it carried are
 * released. The connection stays usable.
 */
public class RpycTimeoutException extends RpycException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception. */
  public RpycTimeoutException(String message) {
    super(message);
  }
}
