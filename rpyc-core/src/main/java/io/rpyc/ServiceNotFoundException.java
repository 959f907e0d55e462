package io.rpyc;

/**
 * No server for a service name: the registry knows nobody serving it, or every server it named
 * refused the connection ({@link Rpyc#connectByService(String)}; the failures are attached as
 * {@linkplain #getSuppressed() suppressed} exceptions). RPyC's {@code DiscoveryError}.
 */
public class ServiceNotFoundException extends DiscoveryException {
  private static final long serialVersionUID = 1L;

  private final String serviceName;

  /** Creates the exception for {@code serviceName}. */
  public ServiceNotFoundException(String serviceName, String message) {
    super(message);
    this.serviceName = serviceName;
  }

  /** The name that was looked up, as the caller spelled it. */
  public String serviceName() {
    return serviceName;
  }
}
