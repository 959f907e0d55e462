package io.rpyc;

import io.rpyc.internal.classic.DefaultClassicConnection;
import io.rpyc.internal.transport.PipeTransport;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Objects;

/**
 * Opens {@link ClassicConnection}s to classic servers: RPyC's {@code rpyc.classic.connect}. Get one
 * from {@link Rpyc#classic()}.
 *
 * <pre>{@code
 * try (ClassicConnection conn = Rpyc.classic().connect("localhost")) {       // port 18812
 *   System.out.println(conn.modules().get("java.lang.System").call("getProperty", "os.name"));
 * }
 * }</pre>
 *
 * <p>This side offers the server nothing but the objects it passes (a {@link VoidService} with the
 * given configuration, by default {@link RpycConfig#defaults()}): unlike RPyC's classic client, it
 * does not hand its own JVM to the server. Immutable and thread-safe.
 */
public final class ClassicConnector {
  static final ClassicConnector DEFAULT = new ClassicConnector(RpycConfig.defaults());

  private final RpycConfig config;

  private ClassicConnector(RpycConfig config) {
    this.config = config;
  }

  /** A connector whose connections use {@code config} on this side (timeouts, limits). */
  public ClassicConnector withConfig(RpycConfig config) {
    return new ClassicConnector(Objects.requireNonNull(config, "config"));
  }

  /** The configuration this side's connections use. */
  public RpycConfig config() {
    return config;
  }

  /** Connects to a classic server on RPyC's classic port, {@value Rpyc#CLASSIC_PORT}. */
  public ClassicConnection connect(String host) {
    return connect(host, Rpyc.CLASSIC_PORT);
  }

  /**
   * Connects to a classic server.
   *
   * @throws RpycException if the connection cannot be established within the connect timeout
   */
  public ClassicConnection connect(String host, int port) {
    return new DefaultClassicConnection(Rpyc.connect(host, port, new VoidService(), config));
  }

  /**
   * Connects over TLS on RPyC's classic TLS port, {@value Rpyc#CLASSIC_SSL_PORT}: RPyC's {@code
   * rpyc.classic.ssl_connect}.
   */
  public ClassicConnection sslConnect(String host, Tls tls) {
    return sslConnect(host, Rpyc.CLASSIC_SSL_PORT, tls);
  }

  /** Connects over TLS (this connector's configuration with {@code tls}). */
  public ClassicConnection sslConnect(String host, int port, Tls tls) {
    return new DefaultClassicConnection(
        Rpyc.connect(host, port, new VoidService(), config.toBuilder().tls(tls).build()));
  }

  /**
   * Connects over a pair of streams, such as the pipes of a {@code classic-server --mode stdio}
   * process: RPyC's {@code connect_pipes}. Closing the connection closes {@code toServer}; the end
   * of {@code fromServer} closes the connection.
   *
   * <pre>{@code
   * Process server = new ProcessBuilder("bin/classic-server", "--mode", "stdio").start();
   * ClassicConnection conn =
   *     Rpyc.classic().connectPipes(server.getInputStream(), server.getOutputStream());
   * }</pre>
   */
  public ClassicConnection connectPipes(InputStream fromServer, OutputStream toServer) {
    return new DefaultClassicConnection(
        PipeTransport.connect(fromServer, toServer, new VoidService(), config));
  }
}
