package io.rpyc.internal.registry;

import io.rpyc.Connection;
import io.rpyc.Endpoint;
import io.rpyc.Registrar;
import io.rpyc.Rpyc;
import io.rpyc.RpycConfig;
import io.rpyc.RpycException;
import io.rpyc.Service;
import io.rpyc.ServiceNotFoundException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What {@link Rpyc#discover}, {@link Rpyc#connectByService} and {@link Rpyc#listServices} do. */
public final class Discovery {
  private static final Logger log = LoggerFactory.getLogger(Discovery.class);

  private Discovery() {}

  /** The servers for {@code name}; never empty. */
  public static List<Endpoint> discover(String name, Registrar registrar) {
    requireName(name);
    Objects.requireNonNull(registrar, "registrar");
    List<Endpoint> endpoints = RegistryBackends.open(registrar).discover(name);
    if (endpoints.isEmpty()) {
      throw new ServiceNotFoundException(
          name, "no server for service " + name + " (registry " + registrar + ")");
    }
    return endpoints;
  }

  /** Connects to the first of the servers for {@code name} that accepts a connection. */
  public static Connection connect(
      String name, Registrar registrar, Service localService, RpycConfig config) {
    Objects.requireNonNull(localService, "localService");
    Objects.requireNonNull(config, "config");
    List<Endpoint> endpoints = discover(name, registrar);
    List<RpycException> failures = new ArrayList<>();
    for (Endpoint endpoint : endpoints) {
      try {
        return Rpyc.connect(endpoint.host(), endpoint.port(), localService, config);
      } catch (RpycException e) {
        // Registries keep entries of crashed servers until they are pruned (or the session
        // expires): try the next one.
        log.debug("{} for service {} is not reachable: {}", endpoint, name, e.getMessage());
        failures.add(e);
      }
    }
    ServiceNotFoundException e =
        new ServiceNotFoundException(
            name,
            "no server for service "
                + name
                + " accepted a connection: tried "
                + endpoints
                + " (registry "
                + registrar
                + ")");
    failures.forEach(e::addSuppressed);
    throw e;
  }

  /** The service names the registry knows. */
  public static List<String> listServices(Registrar registrar) {
    Objects.requireNonNull(registrar, "registrar");
    return RegistryBackends.open(registrar).listServices();
  }

  private static void requireName(String name) {
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("empty service name");
    }
  }
}
