package io.rpyc;

import io.rpyc.internal.protocol.Netref;
import io.rpyc.internal.protocol.Restricted;
import io.rpyc.internal.proxy.AsyncCapture;
import io.rpyc.internal.proxy.ByteBuddyProxies;
import io.rpyc.internal.registry.Discovery;
import io.rpyc.internal.transport.Transport;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

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
   * Connects over TLS: {@code Rpyc.sslConnect("calc.example", 18861, Tls.client().trust(ca))}.
   * Every other connect method takes TLS through {@link RpycConfig.Builder#tls}.
   */
  public static Connection sslConnect(String host, int port, Tls tls) {
    return connect(host, port, new VoidService(), RpycConfig.builder().tls(tls).build());
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
   * Calls a typed proxy asynchronously: {@code call} must make exactly one call on {@code proxy},
   * which is sent without waiting; its result arrives in the returned {@link AsyncResult}. RPyC's
   * {@code async_(proxy.method)(args)}, in Java.
   *
   * <pre>{@code
   * AsyncResult<Integer> sum = Rpyc.async(calc, c -> c.add(1, 2));
   * AsyncResult<Void> done = Rpyc.async(worker, w -> { w.run(); return null; });
   * }</pre>
   *
   * @throws IllegalArgumentException if {@code call} made no call, or more than one, on a proxy
   */
  @SuppressWarnings("unchecked")
  public static <P, R> AsyncResult<R> async(P proxy, Function<? super P, R> call) {
    Objects.requireNonNull(proxy, "proxy");
    AsyncCapture capture = AsyncCapture.begin(false);
    try {
      call.apply(proxy);
    } catch (RuntimeException | Error e) {
      capture.abort();
      throw e;
    }
    return (AsyncResult<R>) (AsyncResult<?>) capture.end();
  }

  /**
   * Calls a typed proxy and does not wait for the result; a remote exception is logged.
   *
   * <pre>{@code
   * Rpyc.oneway(audit, a -> a.record(event));
   * }</pre>
   */
  public static <P> void oneway(P proxy, Consumer<? super P> call) {
    Objects.requireNonNull(proxy, "proxy");
    AsyncCapture capture = AsyncCapture.begin(true);
    try {
      call.accept(proxy);
    } catch (RuntimeException | Error e) {
      capture.abort();
      throw e;
    }
    capture.end();
  }

  /**
   * Copies a remote collection, map or array into a local one ({@link java.util.ArrayList}, {@link
   * java.util.LinkedHashSet}, {@link java.util.LinkedHashMap}, or an array of the same component
   * type): one round trip with a JVM peer, a few large batches with a Python peer. The items
   * themselves are copied if they travel by value and stay references otherwise. A local object is
   * returned as it is. See {@code docs/typed-proxies.md} for when to copy and when to iterate.
   *
   * <pre>{@code
   * List<Integer> squares = Rpyc.obtain(calc.squares(1000));
   * }</pre>
   */
  @SuppressWarnings("unchecked")
  public static <T> T obtain(Object remote) {
    RemoteRef ref = ByteBuddyProxies.INSTANCE.unwrap(remote);
    if (!(ref instanceof Netref)) {
      return (T) remote;
    }
    return (T) ((Netref) ref).obtain();
  }

  /**
   * The {@link RemoteRef} behind a typed proxy or a handle.
   *
   * @throws IllegalArgumentException if {@code object} is a local object
   */
  public static RemoteRef ref(Object object) {
    RemoteRef ref = ByteBuddyProxies.INSTANCE.unwrap(object);
    if (ref == null) {
      throw new IllegalArgumentException("not a remote object: " + object);
    }
    return ref;
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

  /**
   * The servers offering {@code serviceName} (any of their aliases, compared case-insensitively),
   * asking the {@linkplain Registrar#defaults() default registrar}: a UDP broadcast, as RPyC.
   *
   * <pre>{@code
   * List<Endpoint> calcs = Rpyc.discover("CALC");   // [10.0.0.7:18861, 10.0.0.9:18861]
   * }</pre>
   *
   * @return the servers, never empty, least recently registered first
   * @throws ServiceNotFoundException if the registry knows no server for the name
   * @throws DiscoveryException if no registry answered within the registrar's timeout
   */
  public static List<Endpoint> discover(String serviceName) {
    return discover(serviceName, Registrar.defaults());
  }

  /**
   * Like {@link #discover(String)}, asking {@code registrar}.
   *
   * <pre>{@code
   * List<Endpoint> calcs = Rpyc.discover("CALC", Registrar.tcp("registry.example"));
   * }</pre>
   */
  public static List<Endpoint> discover(String serviceName, Registrar registrar) {
    return Discovery.discover(serviceName, registrar);
  }

  /**
   * Connects to a server offering {@code serviceName}, found through the {@linkplain
   * Registrar#defaults() default registrar}: the servers are tried in the registry's order until
   * one accepts, so entries of servers that died are skipped. RPyC's {@code connect_by_service}.
   *
   * <pre>{@code
   * try (Connection conn = Rpyc.connectByService("CALC")) {
   *   conn.root().call("add", 1, 2);
   * }
   * }</pre>
   *
   * @throws ServiceNotFoundException if no server is known or none accepted a connection
   * @throws DiscoveryException if no registry answered within the registrar's timeout
   */
  public static Connection connectByService(String serviceName) {
    return connectByService(serviceName, Registrar.defaults());
  }

  /** Like {@link #connectByService(String)}, asking {@code registrar}. */
  public static Connection connectByService(String serviceName, Registrar registrar) {
    return connectByService(serviceName, registrar, new VoidService(), RpycConfig.defaults());
  }

  /**
   * Like {@link #connectByService(String)}, asking {@code registrar}, offering {@code localService}
   * to the server and connecting with {@code config}.
   */
  public static Connection connectByService(
      String serviceName, Registrar registrar, Service localService, RpycConfig config) {
    return Discovery.connect(serviceName, registrar, localService, config);
  }

  /**
   * The service names the {@linkplain Registrar#defaults() default registrar} knows. RPyC's
   * registry answers only when started with {@code --listing}.
   *
   * @throws DiscoveryException if no registry answered, or it does not allow listing
   */
  public static List<String> listServices() {
    return listServices(Registrar.defaults());
  }

  /** Like {@link #listServices()}, asking {@code registrar}. */
  public static List<String> listServices(Registrar registrar) {
    return Discovery.listServices(registrar);
  }

  /**
   * Classic mode: connects to classic servers ({@code bin/classic-server}), which let this side use
   * the whole remote JVM. RPyC's {@code rpyc.classic}.
   *
   * <pre>{@code
   * try (ClassicConnection conn = Rpyc.classic().connect("localhost")) {
   *   conn.execute("int x = 41;");
   *   System.out.println(conn.eval("x + 1"));   // 42
   * }
   * }</pre>
   */
  public static ClassicConnector classic() {
    return ClassicConnector.DEFAULT;
  }
}
