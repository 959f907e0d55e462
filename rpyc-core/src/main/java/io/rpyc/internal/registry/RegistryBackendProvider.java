package io.rpyc.internal.registry;

import io.rpyc.Registrar;

/**
 * Supplies the back end for one registrar URI scheme; found with {@link java.util.ServiceLoader}
 * (list the class in {@code META-INF/services/io.rpyc.internal.registry.RegistryBackendProvider}).
 * This is how {@code rpyc-registry} adds {@code zk://} without core depending on ZooKeeper.
 * Implementations need a public no-argument constructor and must be thread-safe.
 */
public interface RegistryBackendProvider {

  /** The URI scheme served, lower case, e.g. {@code zk}. */
  String scheme();

  /**
   * Opens a back end for {@code registrar}. Should not wait for the network: connect lazily, so
   * that opening a registrar for a registry that is down still succeeds.
   *
   * @throws IllegalArgumentException if the registrar's URI is invalid for this scheme
   */
  RegistryBackend open(Registrar registrar);
}
