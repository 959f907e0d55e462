package io.rpyc;

import io.rpyc.internal.protocol.Restricted;
import io.rpyc.internal.transport.Transport;
import java.util.Objects;
import java.util.Set;

/**
 * Entry point of rpyc-java: opens connections to RPyC servers, JVM or Python.
 *
 * <pre>{@code
 * try (Connection conn = Rpyc.connect("localhost", 18861)) {
 *   RemoteRef calc = conn.root();
 *   System.out.println(calc.call("add", 1, 2));   // 3
 * }
 * }</pre>
 *
 * <p>Thread-safe; connections share a small pool of daemon I/O threads and a pool of daemon worker
 * threads that serve the peers' requests (callbacks).
 */
public final class Rpyc {
  /** RPyC's port for classic servers. */
  public static final int CLASSIC_PORT = 18812;

  /** RPyC's port for classic servers over TLS. */
  public static final int CLASSIC_SSL_PORT = 18821;

  /** RPyC's registry port (UDP and TCP). */
  public static final int REGISTRY_PORT = 18811;

  /**
   * The version string sent in exception replies ({@code _remote_version}); its major number is the
   * RPyC wire version we speak, which Python peers compare with their own.
   */
  public static final String WIRE_VERSION = "5.3.0/rpyc-java";

  private Rpyc() {}

  /** Connects with the default configuration and no local service. */
  public static Connection connect(String host, int port) {
    return connect(host, port, new VoidService(), RpycConfig.defaults());
  }

  /** Connects with a configuration and no local service. */
  public static Connection connect(String host, int port, RpycConfig config) {
    return connect(host, port, new VoidService(), config);
  }

  /**
   * Connects, offering {@code localService} to the peer as this side's root.
   *
   * @throws RpycException if the connection cannot be established within the connect timeout
   */
  public static Connection connect(String host, int port, Service localService, RpycConfig config) {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(localService, "localService");
    Objects.requireNonNull(config, "config");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
    return Transport.connect(host, port, localService, config);
  }

  /**
   * RPyC's {@code restricted()}: a view of {@code object} through which the peer may use only the
   * named members, whatever the connection's access flags say. Return it from an exposed method
   * instead of the object itself.
   *
   * <pre>{@code
   * @Exposed public Object account() { return Rpyc.restricted(account, "balance", "deposit"); }
   * }</pre>
   */
  public static Object restricted(Object object, String... names) {
    return restricted(object, Set.of(names), Set.of());
  }

  /**
   * Like {@link #restricted(Object, String...)}, with the names the peer may read (and call) and
   * the fields it may assign.
   */
  public static Object restricted(Object object, Set<String> readable, Set<String> writable) {
    Objects.requireNonNull(object, "object");
    return new Restricted(object, readable, writable);
  }
}
