package io.rpyc.testing;

import io.rpyc.Endpoint;
import io.rpyc.Registrar;
import io.rpyc.Rpyc;
import io.rpyc.ServiceNotFoundException;
import java.util.List;

/** What a registry answers for a name, for tests that wait for it to change. */
public final class Discovery {
  private Discovery() {}

  /** The servers {@code registrar} knows under {@code name}; none rather than an exception. */
  public static List<Endpoint> found(Registrar registrar, String name) {
    try {
      return Rpyc.discover(name, registrar);
    } catch (ServiceNotFoundException e) {
      return List.of();
    }
  }
}
