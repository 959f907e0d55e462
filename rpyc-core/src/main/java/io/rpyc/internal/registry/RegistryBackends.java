package io.rpyc.internal.registry;

import io.rpyc.DiscoveryException;
import io.rpyc.Registrar;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the back end of a {@link io.rpyc.Registrar} and keeps it open for the life of the JVM, so
 * that stateful back ends (a ZooKeeper session with its watch cache) are set up once and every
 * later {@code discover} is answered from memory. {@code udp} and {@code tcp} are built in; any
 * other scheme comes from a {@link RegistryBackendProvider} on the class path. Thread-safe.
 */
public final class RegistryBackends {
  private static final Logger log = LoggerFactory.getLogger(RegistryBackends.class);
  private static final ConcurrentMap<Registrar, RegistryBackend> OPEN = new ConcurrentHashMap<>();
  private static final AtomicBoolean HOOK = new AtomicBoolean();

  private RegistryBackends() {}

  /**
   * The back end for {@code registrar}, opened on first use and shared afterwards.
   *
   * @throws DiscoveryException if no back end supports the registrar's scheme
   * @throws IllegalArgumentException if the back end rejects the registrar's URI
   */
  public static RegistryBackend open(Registrar registrar) {
    RegistryBackend backend = OPEN.get(registrar);
    if (backend != null) {
      return backend;
    }
    if (HOOK.compareAndSet(false, true)) {
      // Closing at exit unregisters servers and ends ZooKeeper sessions at once, instead of
      // leaving their entries behind until they expire.
      try {
        Runtime.getRuntime()
            .addShutdownHook(new Thread(RegistryBackends::closeAll, "rpyc-registry-shutdown"));
      } catch (IllegalStateException alreadyExiting) {
        // Nothing to clean up after: the JVM is exiting anyway.
      }
    }
    return OPEN.computeIfAbsent(registrar, RegistryBackends::create);
  }

  private static RegistryBackend create(Registrar registrar) {
    switch (registrar.scheme()) {
      case "udp":
        return new UdpRegistryBackend(registrar);
      case "tcp":
        return new TcpRegistryBackend(registrar);
      default:
        for (RegistryBackendProvider provider : providers()) {
          if (provider.scheme().equals(registrar.scheme())) {
            return provider.open(registrar);
          }
        }
        throw new DiscoveryException(
            "no registry back end for "
                + registrar.scheme()
                + "://"
                + (registrar.scheme().equals("zk")
                    ? ": put io.rpyc:rpyc-registry (and its ZooKeeper client) on the class path"
                    : " (known: udp, tcp" + knownSchemes() + ")"));
    }
  }

  private static List<RegistryBackendProvider> providers() {
    List<RegistryBackendProvider> providers = new ArrayList<>();
    ClassLoader context = Thread.currentThread().getContextClassLoader();
    ClassLoader own = RegistryBackends.class.getClassLoader();
    ServiceLoader.load(RegistryBackendProvider.class, own).forEach(providers::add);
    if (context != null && context != own) {
      // Applications that load rpyc-registry in a child loader (plugins, containers).
      for (RegistryBackendProvider p : ServiceLoader.load(RegistryBackendProvider.class, context)) {
        if (providers.stream().noneMatch(q -> q.getClass() == p.getClass())) {
          providers.add(p);
        }
      }
    }
    return providers;
  }

  private static String knownSchemes() {
    StringBuilder sb = new StringBuilder();
    for (RegistryBackendProvider p : providers()) {
      sb.append(", ").append(p.scheme());
    }
    return sb.toString();
  }

  /**
   * Closes every open back end (and so every registration made through them). For tests and the
   * exit hook; later calls open fresh back ends.
   */
  public static void closeAll() {
    for (Registrar registrar : List.copyOf(OPEN.keySet())) {
      RegistryBackend backend = OPEN.remove(registrar);
      if (backend != null) {
        try {
          backend.close();
        } catch (RuntimeException e) {
          log.warn("closing the registry back end for {} failed", registrar, e);
        }
      }
    }
  }
}
