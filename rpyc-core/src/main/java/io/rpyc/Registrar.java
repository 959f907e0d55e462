package io.rpyc;

import io.rpyc.internal.registry.RegistrarUris;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Which registry to ask (or register with), and how long to wait for it: RPyC's <em>registrar</em>.
 * Three kinds exist, each written as a URI:
 *
 * <ul>
 *   <li>{@code udp://255.255.255.255:18811} — RPyC's default: a UDP broadcast on the local network,
 *       answered by any {@code registry-server --mode udp} (or Python's {@code rpyc_registry}).
 *       {@code udp://host:port} asks one registry directly.
 *   <li>{@code tcp://host:port} — one registry in TCP mode, for networks that drop broadcasts.
 *   <li>{@code zk://host1:2181,host2:2181/rpyc} — a ZooKeeper ensemble and the base path under
 *       which services are kept; needs {@code io.rpyc:rpyc-registry} on the class path. Parameter
 *       {@code sessionTimeout} (e.g. {@code ?sessionTimeout=10s}) says how soon a crashed server
 *       vanishes.
 * </ul>
 *
 * <p>Every URI may carry {@code ?timeout=5s} (also {@code 500ms}, {@code 1m}); the default is 2 s,
 * as in RPyC. Immutable and thread-safe.
 *
 * <pre>{@code
 * Registrar registry = Registrar.tcp("registry.example");          // tcp://registry.example:18811
 * List<Endpoint> calcs = Rpyc.discover("CALC", registry);
 * Connection conn = Rpyc.connectByService("CALC", Registrar.of("zk://zk1:2181/rpyc"));
 * }</pre>
 *
 * <p>See {@code docs/registry.md}.
 */
public final class Registrar {
  /** How long a registry is waited for unless told otherwise: 2 s, RPyC's value. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

  /** The system property that replaces the {@linkplain #defaults() default registrar}. */
  public static final String DEFAULT_PROPERTY = "rpyc.registry";

  /** ZooKeeper's client port, used when a {@code zk://} host names none. */
  public static final int ZOOKEEPER_PORT = 2181;

  /** The base path of {@link #zooKeeper(String)}. */
  public static final String ZOOKEEPER_BASE_PATH = "/rpyc";

  private static final String BROADCAST = "255.255.255.255";

  private final URI uri;
  private final Duration timeout;

  private Registrar(URI uri, Duration timeout) {
    this.uri = uri;
    this.timeout = timeout;
  }

  /** RPyC's default registrar: UDP broadcast to {@code 255.255.255.255:18811}. */
  public static Registrar broadcast() {
    return udp(BROADCAST, Rpyc.REGISTRY_PORT);
  }

  /** A UDP registry on {@code host}, port 18811. */
  public static Registrar udp(String host) {
    return udp(host, Rpyc.REGISTRY_PORT);
  }

  /** A UDP registry on {@code host:port}; a host with an octet 255 is a broadcast address. */
  public static Registrar udp(String host, int port) {
    return hostAndPort("udp", host, port);
  }

  /** A TCP registry on {@code host}, port 18811. */
  public static Registrar tcp(String host) {
    return tcp(host, Rpyc.REGISTRY_PORT);
  }

  /** A TCP registry on {@code host:port}. */
  public static Registrar tcp(String host, int port) {
    return hostAndPort("tcp", host, port);
  }

  /**
   * A ZooKeeper ensemble, services kept under {@value #ZOOKEEPER_BASE_PATH}.
   *
   * @param connectString ZooKeeper's connect string: {@code host[:port][,host[:port]...]}
   */
  public static Registrar zooKeeper(String connectString) {
    Objects.requireNonNull(connectString, "connectString");
    return of("zk://" + connectString + ZOOKEEPER_BASE_PATH);
  }

  /**
   * Parses a registrar URI ({@code udp://}, {@code tcp://}, {@code zk://}, or the scheme of another
   * installed back end); see the class documentation.
   *
   * @throws IllegalArgumentException if the URI is malformed
   */
  public static Registrar of(String uri) {
    Objects.requireNonNull(uri, "uri");
    URI parsed;
    try {
      parsed = URI.create(uri.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not a registrar URI: " + uri, e);
    }
    String scheme = parsed.getScheme();
    if (scheme == null || parsed.getRawAuthority() == null) {
      throw new IllegalArgumentException(
          "not a registrar URI (expected e.g. udp://host:18811, tcp://host:18811,"
              + " zk://host:2181/rpyc): "
              + uri);
    }
    scheme = scheme.toLowerCase(Locale.ROOT);
    Map<String, String> parameters = new LinkedHashMap<>(RegistrarUris.parameters(parsed));
    String timeoutText = parameters.remove("timeout");
    Duration timeout =
        timeoutText == null ? DEFAULT_TIMEOUT : RegistrarUris.duration(timeoutText, "timeout");
    String path = parsed.getRawPath() == null ? "" : parsed.getRawPath();
    if (scheme.equals("udp") || scheme.equals("tcp")) {
      if (!path.isEmpty() && !path.equals("/")) {
        throw new IllegalArgumentException("a " + scheme + " registrar has no path: " + uri);
      }
      if (!parameters.isEmpty()) {
        throw new IllegalArgumentException(
            "unknown parameter " + parameters.keySet() + " (only timeout): " + uri);
      }
      Endpoint endpoint = RegistrarUris.endpoint(parsed.getRawAuthority(), Rpyc.REGISTRY_PORT);
      return hostAndPort(scheme, endpoint.host(), endpoint.port()).withTimeout(timeout);
    }
    if (scheme.equals("zk") && (path.isEmpty() || path.equals("/"))) {
      path = ZOOKEEPER_BASE_PATH;
    }
    StringBuilder normalized =
        new StringBuilder(scheme).append("://").append(parsed.getRawAuthority()).append(path);
    if (!parameters.isEmpty()) {
      normalized.append('?');
      parameters.forEach((k, v) -> normalized.append(k).append('=').append(v).append('&'));
      normalized.setLength(normalized.length() - 1);
    }
    return new Registrar(URI.create(normalized.toString()), timeout);
  }

  /**
   * The registrar that the one-argument {@link Rpyc#discover(String)}, {@link
   * Rpyc#connectByService(String)} and {@link Rpyc#listServices()} use: the URI in the system
   * property {@value #DEFAULT_PROPERTY} if set, else {@link #broadcast()} (as RPyC).
   */
  public static Registrar defaults() {
    String configured = System.getProperty(DEFAULT_PROPERTY);
    return configured == null || configured.isBlank() ? broadcast() : of(configured);
  }

  private static Registrar hostAndPort(String scheme, String host, int port) {
    Endpoint endpoint = new Endpoint(host, port);
    try {
      return new Registrar(URI.create(scheme + "://" + endpoint), DEFAULT_TIMEOUT);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not a host name or address: " + host, e);
    }
  }

  /** A copy that waits {@code timeout} (positive) for the registry. */
  public Registrar withTimeout(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, got " + timeout);
    }
    return new Registrar(uri, timeout);
  }

  /** The scheme, lower case: {@code udp}, {@code tcp}, {@code zk}, ... */
  public String scheme() {
    return uri.getScheme();
  }

  /** The URI, normalized (default port and path filled in), without the {@code timeout}. */
  public URI uri() {
    return uri;
  }

  /** How long any single wait for the registry may take. */
  public Duration timeout() {
    return timeout;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Registrar
        && ((Registrar) o).uri.equals(uri)
        && ((Registrar) o).timeout.equals(timeout);
  }

  @Override
  public int hashCode() {
    return uri.hashCode() * 31 + timeout.hashCode();
  }

  /** The URI, with the timeout when it is not the default. */
  @Override
  public String toString() {
    return timeout.equals(DEFAULT_TIMEOUT) ? uri.toString() : uri + " (timeout " + timeout + ")";
  }
}
