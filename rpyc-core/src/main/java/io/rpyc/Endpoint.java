package io.rpyc;

import java.util.Objects;

/**
 * Where a server listens: a host (name or literal IP address) and a TCP port. {@link
 * Rpyc#discover(String)} returns these; pass one to {@link Rpyc#connect(String, int)} to connect.
 * Immutable and thread-safe.
 *
 * <pre>{@code
 * for (Endpoint e : Rpyc.discover("CALC", Registrar.tcp("registry.example"))) {
 *   System.out.println(e);                        // 10.0.0.7:18861
 * }
 * }</pre>
 *
 * @param host the host name or IP address, never empty
 * @param port the port, 0 to 65535
 */
public record Endpoint(String host, int port) {

  /** Checks the components. */
  public Endpoint {
    Objects.requireNonNull(host, "host");
    if (host.isEmpty()) {
      throw new IllegalArgumentException("empty host");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
  }

  /** {@code host:port}, with an IPv6 literal in brackets: {@code [::1]:18861}. */
  @Override
  public String toString() {
    return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
  }
}
