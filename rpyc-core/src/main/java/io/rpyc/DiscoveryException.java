package io.rpyc;

/**
 * Service discovery failed: the registry did not answer within the {@linkplain Registrar#timeout()
 * timeout}, could not be reached, refused the request (listing disabled), or no back end supports
 * the registrar's scheme. Its subtype {@link ServiceNotFoundException} means the registry answered
 * and nobody serves the name.
 */
public class DiscoveryException extends RpycException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception. */
  public DiscoveryException(String message) {
    super(message);
  }

  /** Creates the exception with its cause. */
  public DiscoveryException(String message, Throwable cause) {
    super(message, cause);
  }
}
