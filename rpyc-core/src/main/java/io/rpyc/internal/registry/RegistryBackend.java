package io.rpyc.internal.registry;

import io.rpyc.DiscoveryException;
import io.rpyc.Endpoint;
import java.util.List;

/**
 * One registry as rpyc-java uses it: look servers up by name, list names, keep a server registered.
 * Obtained from {@link RegistryBackends#open}; implementations are thread-safe and may be shared by
 * every caller asking the same registrar.
 */
public interface RegistryBackend extends AutoCloseable {

  /**
   * The servers known for {@code name} (compared upper-cased), least recently (re)registered first;
   * empty when none is.
   *
   * @throws DiscoveryException if the registry cannot be asked or does not answer in time
   */
  List<Endpoint> discover(String name);

  /**
   * The service names the registry knows.
   *
   * @throws DiscoveryException if the registry cannot be asked, does not answer in time, or does
   *     not allow listing
   */
  List<String> listServices();

  /**
   * Starts keeping a server registered until the returned registration is closed, however this kind
   * of registry needs it (periodic refreshes, an ephemeral node). Never waits for the network: a
   * registry that is down is retried in the background.
   */
  Registration register(RegistrationRequest request);

  /** Closes every registration made through this back end and releases its resources. */
  @Override
  void close();
}
