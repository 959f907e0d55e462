package io.rpyc.registry.zookeeper;

import io.rpyc.Registrar;
import io.rpyc.internal.registry.RegistryBackend;
import io.rpyc.internal.registry.RegistryBackendProvider;

/**
 * Provides the {@code zk://} registry back end to core (a {@link java.util.ServiceLoader} provider,
 * listed in {@code META-INF/services}). Public only because {@code ServiceLoader} requires it; not
 * API. Stateless and thread-safe.
 */
public final class ZooKeeperRegistryProvider implements RegistryBackendProvider {

  /** Called by {@link java.util.ServiceLoader}. */
  public ZooKeeperRegistryProvider() {}

  @Override
  public String scheme() {
    return "zk";
  }

  @Override
  public RegistryBackend open(Registrar registrar) {
    return new ZooKeeperRegistry(ZooKeeperSettings.of(registrar));
  }
}
