package io.rpyc.internal.registry;

/** A server kept registered by a {@link RegistryBackend}. Thread-safe. */
public interface Registration extends AutoCloseable {

  /**
   * Unregisters the server, waiting at most about the registrar's timeout for the registry.
   * Idempotent; never throws for a registry that is down.
   */
  @Override
  void close();
}
