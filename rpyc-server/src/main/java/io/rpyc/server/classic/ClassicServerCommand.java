package io.rpyc.server.classic;

import io.rpyc.RpycConfig;
import io.rpyc.RpycException;
import io.rpyc.Service;
import io.rpyc.internal.protocol.ProtocolConnection;
import io.rpyc.internal.transport.PipeTransport;
import io.rpyc.internal.transport.Transport;
import io.rpyc.server.RpycServer;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bin/classic-server}: serves this JVM in classic mode, RPyC's {@code rpyc_classic}. Prints
 * {@code classic-server listening on 127.0.0.1:18812 (mode threaded)} once it accepts connections;
 * with {@code --mode oneshot} it serves one connection and exits; with {@code --mode stdio} it
 * serves one connection over its standard input and output (for a parent process or {@code ssh})
 * and prints nothing there but the protocol.
 *
 * <p>Anyone who can connect can run any code in this JVM. The server listens on loopback unless
 * {@code --host} says otherwise, and then warns loudly.
 */
@Command(
    name = "classic-server",
    mixinStandardHelpOptions = true,
    versionProvider = ClassicServerCommand.Version.class,
    description = {
      "Serves this JVM in RPyC's classic mode: clients can use any class, run Java source"
          + " (jshell), teleport code and copy files.",
      "This is remote code execution by design: bind to loopback (the default) or a trusted"
          + " network only."
    })
public final class ClassicServerCommand implements Callable<Integer> {

  /** How connections are served (RPyC's {@code --mode}). */
  enum Mode {
    /** A thread per request, any number of connections (the default). */
    threaded,
    /** One connection, then exit. */
    oneshot,
    /** One connection over standard input and output, then exit. */
    stdio
  }

  @Option(
      names = "--host",
      defaultValue = "127.0.0.1",
      description =
          "Address to bind (default: ${DEFAULT-VALUE}). Anything else is reachable"
              + " from other machines: a warning is printed.")
  String host;

  @Option(
      names = {"-p", "--port"},
      description = "Port; 0 picks a free one (default: 18812, or 18821 with TLS, as RPyC).")
  Integer port;

  @Option(
      names = "--insecure",
      description =
          "Listen on a non-loopback address without TLS or an authenticator anyway: anyone who"
              + " can connect gets this JVM.")
  boolean insecure;

  @CommandLine.Mixin io.rpyc.server.RpycServerCommand.SecurityOptions security;

  @CommandLine.Mixin io.rpyc.server.RpycServerCommand.RegistryOptions registry;

  @Option(
      names = {"-m", "--mode"},
      defaultValue = "threaded",
      description = "threaded, oneshot or stdio (default: ${DEFAULT-VALUE}).")
  Mode mode;

  @Option(
      names = "--max-connections",
      defaultValue = "0",
      description = "Refuse connections beyond this many; 0 for no limit.")
  int maxConnections;

  @Option(
      names = "--timeout",
      defaultValue = "30",
      description = "Synchronous request timeout in seconds (default: ${DEFAULT-VALUE}).")
  long timeoutSeconds;

  @Option(
      names = "--logfile",
      paramLabel = "<file>",
      description = "Log to this file instead of stderr.")
  Path logfile;

  @Option(
      names = {"-q", "--quiet"},
      description = "Log errors and warnings only.")
  boolean quiet;

  /** Runs the command; exits when the server is done (SIGINT/SIGTERM in threaded mode). */
  public static void main(String[] args) {
    System.exit(
        new CommandLine(new ClassicServerCommand())
            .setCaseInsensitiveEnumValuesAllowed(true)
            .execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (mode == Mode.stdio) {
      return serveStdio();
    }
    Logger log = startLogging();
    if (!insecure && !security.isSecured() && !isLoopback(host)) {
      System.err.println(
          "classic-server: refusing to listen on "
              + host
              + " without TLS (--ssl-certfile, --ssl-keyfile) or an authenticator"
              + " (--auth-secret-file): classic mode is remote code execution, and anyone who can"
              + " reach that address could run any code in this JVM. Add --insecure to do it"
              + " anyway.");
      return 2;
    }
    int listenPort = port != null ? port : security.usesTls() ? 18821 : 18812;
    RpycConfig config = config();
    CountDownLatch oneDone = new CountDownLatch(1);
    Supplier<Service> services =
        mode == Mode.oneshot ? () -> new ClassicService(oneDone::countDown) : ClassicService::new;
    RpycServer server;
    try {
      RpycServer.Builder builder =
          RpycServer.builder()
              .service(services)
              .host(host)
              .port(listenPort)
              .config(config)
              .maxConnections(mode == Mode.oneshot ? 1 : maxConnections)
              .registryAliases(Service.aliasesOf(ClassicService.class).toArray(new String[0]));
      security.applyTo(builder);
      registry.applyTo(builder);
      server = builder.build().start();
    } catch (IllegalArgumentException | java.io.IOException e) {
      System.err.println("classic-server: " + e.getMessage());
      return 2;
    } catch (RpycException e) {
      System.err.println("classic-server: " + e.getMessage());
      return 1;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "classic-server-shutdown"));
    InetSocketAddress address = server.address();
    // the address as asked for (a wildcard binds dual-stack and would print as "0:0:0:...")
    String where = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    if (!address.getAddress().isLoopbackAddress()) {
      warnReachable(log, where);
    }
    System.out.println("classic-server listening on " + where + " (mode " + mode + ")");
    System.out.flush();
    if (mode == Mode.oneshot) {
      oneDone.await();
      server.close();
    } else {
      server.awaitClosed();
    }
    return 0;
  }

  private int serveStdio() throws InterruptedException {
    // stdout carries the protocol: nothing else may ever be printed on it
    OutputStream protocolOut = new FileOutputStream(FileDescriptor.out);
    InputStream protocolIn = new FileInputStream(FileDescriptor.in);
    System.setOut(System.err);
    System.setIn(InputStream.nullInputStream());
    Logger log = startLogging();
    ExecutorService executor =
        Executors.newCachedThreadPool(Transport.daemonThreads("rpyc-worker"));
    ProtocolConnection connection =
        PipeTransport.serve(protocolIn, protocolOut, ClassicService::new, config(), executor);
    Runtime.getRuntime().addShutdownHook(new Thread(connection::close, "classic-server-shutdown"));
    log.info("classic-server serving one connection over stdin and stdout");
    connection.closeFuture().join();
    executor.shutdown();
    executor.awaitTermination(5, TimeUnit.SECONDS);
    log.info("classic-server: the connection closed");
    return 0;
  }

  private RpycConfig config() {
    return ClassicService.config(
        RpycConfig.builder().syncRequestTimeout(Duration.ofSeconds(timeoutSeconds)).build());
  }

  private static boolean isLoopback(String host) {
    try {
      return java.net.InetAddress.getByName(host).isLoopbackAddress();
    } catch (java.net.UnknownHostException e) {
      return false; // binding will fail and say why
    }
  }

  private static void warnReachable(Logger log, String where) {
    log.warn(
        "classic-server is listening on {}, which other machines may reach: anyone who connects"
            + " can run any code in this JVM",
        where);
    PrintStream err = System.err;
    err.println("!!!");
    err.println("!!! WARNING: classic-server is listening on " + where + ",");
    err.println("!!! which is not a loopback address. Classic mode is remote code execution by");
    err.println("!!! design: anyone who can connect can run any code in this JVM, as this user.");
    err.println("!!! Bind to 127.0.0.1 (the default) unless the network is trusted.");
    err.println("!!!");
    err.flush();
  }

  /**
   * Sets up slf4j-simple and creates the first logger, so that logging writes to the real standard
   * error even after classic mode routes {@code System.err} by connection.
   */
  private Logger startLogging() {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", quiet ? "warn" : "info");
    System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
    System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss.SSS");
    System.setProperty("org.slf4j.simpleLogger.cacheOutputStream", "true");
    if (logfile != null) {
      System.setProperty("org.slf4j.simpleLogger.logFile", logfile.toString());
    }
    return LoggerFactory.getLogger(ClassicServerCommand.class);
  }

  /** The version printed by {@code --version}. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = ClassicServerCommand.class.getPackage().getImplementationVersion();
      return new String[] {"classic-server " + (v == null ? "(development build)" : v)};
    }
  }
}
