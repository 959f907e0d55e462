package io.rpyc.server;

import io.rpyc.Endpoint;
import io.rpyc.Registrar;
import io.rpyc.Rpyc;
import io.rpyc.RpycConfig;
import io.rpyc.Service;
import java.io.File;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bin/rpyc-server}: serves any {@link Service} subclass from the command line and prints the
 * address it listens on, e.g. {@code rpyc-server listening on 127.0.0.1:18861 (service CALC)}.
 */
@Command(
    name = "rpyc-server",
    mixinStandardHelpOptions = true,
    versionProvider = RpycServerCommand.Version.class,
    description = "Serves an io.rpyc.Service subclass over RPyC's protocol.")
public final class RpycServerCommand implements Callable<Integer> {

  @Option(
      names = "--service",
      required = true,
      paramLabel = "<class>",
      description =
          "Fully qualified name of the Service subclass (needs a no-argument constructor).")
  String serviceClass;

  @Option(
      names = "--classpath",
      paramLabel = "<path>",
      description =
          "Where to load the service from: jars and directories separated by '${sys:path.separator}'.")
  String classpath;

  @Option(
      names = "--host",
      defaultValue = "127.0.0.1",
      description = "Address to bind (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(
      names = {"-p", "--port"},
      defaultValue = "18861",
      description = "Port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--max-connections",
      defaultValue = "0",
      description = "Refuse connections beyond this many; 0 for no limit.")
  int maxConnections;

  @Option(
      names = "--direct-executor",
      description =
          "Serve requests on the I/O thread that read them: faster, for services whose methods"
              + " never block nor call back (see docs/threading.md).")
  boolean directExecutor;

  @Option(
      names = "--timeout",
      defaultValue = "30",
      description = "Synchronous request timeout in seconds (default: ${DEFAULT-VALUE}).")
  long timeoutSeconds;

  @Option(
      names = "--strict",
      description = "Expose only @Exposed/exposed_ members, also on returned objects.")
  boolean strict;

  @Option(
      names = "--logfile",
      paramLabel = "<file>",
      description = "Log to this file instead of stderr.")
  Path logfile;

  @Option(
      names = {"-q", "--quiet"},
      description = "Log errors and warnings only.")
  boolean quiet;

  @Option(
      names = "--keepalive",
      paramLabel = "<seconds>",
      description = "Ping a peer silent for this long; drop it if it stays silent as long again.")
  Long keepAliveSeconds;

  @Mixin RegistryOptions registry;

  @Mixin SecurityOptions security;

  /** Runs the command; exits when the server is closed (SIGINT/SIGTERM). */
  public static void main(String[] args) {
    System.exit(new CommandLine(new RpycServerCommand()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    configureLogging(quiet, logfile);
    ClassLoader loader = loader(classpath);
    Class<?> type;
    try {
      type = Class.forName(serviceClass, true, loader);
    } catch (ClassNotFoundException e) {
      System.err.println(
          "rpyc-server: class not found: "
              + serviceClass
              + (classpath == null ? " (no --classpath given)" : " on " + classpath));
      return 2;
    }
    if (!Service.class.isAssignableFrom(type)) {
      System.err.println("rpyc-server: " + serviceClass + " is not a subclass of io.rpyc.Service");
      return 2;
    }
    Class<? extends Service> serviceType = type.asSubclass(Service.class);
    RpycConfig config =
        RpycConfig.builder()
            .syncRequestTimeout(Duration.ofSeconds(timeoutSeconds))
            .strictExposure(strict)
            .keepAliveInterval(
                keepAliveSeconds == null ? null : Duration.ofSeconds(keepAliveSeconds))
            .build();
    RpycServer.Builder builder =
        RpycServer.builder()
            .service(serviceType)
            .host(host)
            .port(port)
            .config(config)
            .maxConnections(maxConnections);
    if (directExecutor) {
      builder.directExecutor();
    }
    try {
      registry.applyTo(builder);
      security.applyTo(builder);
    } catch (IllegalArgumentException | java.io.IOException e) {
      System.err.println("rpyc-server: " + e.getMessage());
      return 2;
    }
    RpycServer server = builder.build().start();
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "rpyc-server-shutdown"));
    String name = Service.aliasesOf(serviceType).get(0);
    System.out.println(
        "rpyc-server listening on "
            + server.address().getHostString()
            + ":"
            + server.port()
            + " (service "
            + name
            + ")");
    System.out.flush();
    server.awaitClosed();
    return 0;
  }

  /** Sets up slf4j-simple before the first logger is created. */
  static void configureLogging(boolean quiet, Path logfile) {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", quiet ? "warn" : "info");
    System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
    System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss.SSS");
    if (logfile != null) {
      System.setProperty("org.slf4j.simpleLogger.logFile", logfile.toString());
    }
  }

  private static ClassLoader loader(String classpath) throws MalformedURLException {
    ClassLoader parent = RpycServerCommand.class.getClassLoader();
    if (classpath == null || classpath.isBlank()) {
      return parent;
    }
    List<URL> urls = new ArrayList<>();
    for (String entry : classpath.split(File.pathSeparator)) {
      if (!entry.isBlank()) {
        urls.add(Path.of(entry).toUri().toURL());
      }
    }
    return new URLClassLoader(urls.toArray(new URL[0]), parent);
  }

  /**
   * The self-registration options, RPyC's: {@code --register}, {@code --registry-type udp|tcp|zk},
   * {@code --registry-host}, {@code --registry-port}, plus {@code --registry <uri>} for what host
   * and port cannot say (several ZooKeeper hosts, a session timeout). A picocli mixin, for every
   * command that starts an {@link RpycServer}:
   *
   * <pre>{@code
   * @Mixin RpycServerCommand.RegistryOptions registry;
   * ...
   * registry.applyTo(builder);   // throws IllegalArgumentException on inconsistent options
   * }</pre>
   *
   * <p>Not thread-safe (filled in by picocli, then read once).
   */
  public static final class RegistryOptions {
    @Option(
        names = "--register",
        description = "Register the service's aliases with a registry (refreshed every 60 s).")
    boolean register;

    @Option(
        names = "--registry-type",
        defaultValue = "udp",
        paramLabel = "udp|tcp|zk",
        description = "With --register: the kind of registry (default: ${DEFAULT-VALUE}).")
    String type;

    @Option(
        names = "--registry-host",
        paramLabel = "<host>",
        description =
            "With --register: the registry's host. For udp, default 255.255.255.255 (broadcast);"
                + " required for tcp and zk.")
    String host;

    @Option(
        names = "--registry-port",
        paramLabel = "<port>",
        description = "With --register: the registry's port (default 18811; 2181 for zk).")
    Integer port;

    @Option(
        names = "--registry",
        paramLabel = "<uri>",
        description =
            "Register with the registry at this URI (implies --register), e.g."
                + " zk://zk1:2181,zk2:2181/rpyc?sessionTimeout=10s or tcp://host:18811.")
    String uri;

    @Option(
        names = "--advertise-host",
        paramLabel = "<host>",
        description =
            "With a zk registry: the address clients should use (default: the bound address, or"
                + " this machine's for 0.0.0.0).")
    String advertisedHost;

    /** Creates the options with their defaults (picocli fills them in). */
    public RegistryOptions() {}

    /**
     * The registrar the options name, or {@code null} without {@code --register}/{@code
     * --registry}.
     *
     * @throws IllegalArgumentException if they are inconsistent or malformed
     */
    public Registrar registrar() {
      if (uri != null) {
        return Registrar.of(uri);
      }
      if (!register) {
        return null;
      }
      String kind = type.toLowerCase(Locale.ROOT);
      switch (kind) {
        case "udp":
          return Registrar.udp(
              host == null ? "255.255.255.255" : host, port == null ? Rpyc.REGISTRY_PORT : port);
        case "tcp":
          return Registrar.tcp(required(host, "tcp"), port == null ? Rpyc.REGISTRY_PORT : port);
        case "zk":
          String endpoint =
              new Endpoint(required(host, "zk"), port == null ? Registrar.ZOOKEEPER_PORT : port)
                  .toString();
          return Registrar.zooKeeper(endpoint);
        default:
          throw new IllegalArgumentException(
              "--registry-type must be udp, tcp or zk, not '" + type + "'");
      }
    }

    private static String required(String host, String kind) {
      if (host == null) {
        throw new IllegalArgumentException(
            "with --registry-type " + kind + ", --registry-host is required");
      }
      return host;
    }

    /**
     * Configures {@code builder} to register as the options say; does nothing without {@code
     * --register}/{@code --registry}.
     *
     * @throws IllegalArgumentException if the options are inconsistent or malformed
     */
    public void applyTo(RpycServer.Builder builder) {
      Registrar registrar = registrar();
      if (registrar != null) {
        builder.register(registrar);
        if (advertisedHost != null) {
          builder.advertisedHost(advertisedHost);
        }
      }
    }
  }

  /** The version printed by {@code --version}. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = RpycServerCommand.class.getPackage().getImplementationVersion();
      return new String[] {"rpyc-server " + (v == null ? "(development build)" : v)};
    }
  }

  /**
   * TLS and authentication options (RPyC's {@code --ssl-*}), for any command that starts an {@link
   * RpycServer}.
   */
  public static final class SecurityOptions {
    @Option(
        names = "--ssl-certfile",
        paramLabel = "<pem>",
        description = "Serve over TLS with this certificate chain (PEM); needs --ssl-keyfile.")
    Path certFile;

    @Option(
        names = "--ssl-keyfile",
        paramLabel = "<pem>",
        description = "The private key of --ssl-certfile (PEM, PKCS#8).")
    Path keyFile;

    @Option(
        names = "--ssl-cafile",
        paramLabel = "<pem>",
        description = "Require client certificates signed by these CAs (PEM).")
    Path caFile;

    @Option(
        names = "--auth-secret-file",
        paramLabel = "<file>",
        description =
            "Require the shared-secret handshake (HMAC) with the secret in this file (at least 16"
                + " bytes); clients use Authenticators.sharedSecret with the same secret.")
    Path secretFile;

    /** Whether TLS or an authenticator protects the server. */
    public boolean isSecured() {
      return certFile != null || secretFile != null;
    }

    /** Whether TLS was asked for. */
    public boolean usesTls() {
      return certFile != null;
    }

    /**
     * Applies the options to a server builder.
     *
     * @throws IllegalArgumentException if the options do not fit together
     * @throws java.io.IOException if the secret file cannot be read
     */
    public void applyTo(RpycServer.Builder builder) throws java.io.IOException {
      if ((certFile == null) != (keyFile == null)) {
        throw new IllegalArgumentException("--ssl-certfile and --ssl-keyfile go together");
      }
      if (caFile != null && certFile == null) {
        throw new IllegalArgumentException("--ssl-cafile needs --ssl-certfile and --ssl-keyfile");
      }
      if (certFile != null) {
        io.rpyc.Tls tls = io.rpyc.Tls.server(certFile, keyFile);
        builder.tls(caFile == null ? tls : tls.requireClientCertificates(caFile));
      }
      io.rpyc.Authenticator secret =
          secretFile == null
              ? null
              : io.rpyc.Authenticators.sharedSecret(io.rpyc.Authenticators.readSecret(secretFile));
      io.rpyc.Authenticator certificate =
          caFile == null ? null : io.rpyc.Authenticators.tlsClientCertificate();
      if (secret != null && certificate != null) {
        builder.authenticator(
            context -> {
              Object subject = certificate.authenticate(context);
              secret.authenticate(context);
              return subject;
            });
      } else if (secret != null) {
        builder.authenticator(secret);
      } else if (certificate != null) {
        builder.authenticator(certificate);
      }
    }
  }
}
