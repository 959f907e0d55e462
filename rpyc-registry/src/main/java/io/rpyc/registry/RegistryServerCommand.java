package io.rpyc.registry;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bin/registry-server}: runs a {@link RegistryServer}, RPyC's {@code rpyc_registry}, and
 * prints the address it listens on, e.g. {@code registry-server listening on 0.0.0.0:18811 (udp,
 * pruning after 240 s, listing disabled)}.
 */
@Command(
    name = "registry-server",
    mixinStandardHelpOptions = true,
    versionProvider = RegistryServerCommand.Version.class,
    description = "Runs an RPyC registry: servers register their service names, clients find them.")
public final class RegistryServerCommand implements Callable<Integer> {

  @Option(
      names = {"-m", "--mode"},
      defaultValue = "udp",
      paramLabel = "udp|tcp",
      description = "Serving mode (default: ${DEFAULT-VALUE}).")
  RegistryServer.Mode mode;

  @Option(
      names = "--host",
      defaultValue = "0.0.0.0",
      description =
          "Address to bind (default: ${DEFAULT-VALUE}, which UDP broadcasts need; use 127.0.0.1"
              + " for one machine).")
  String host;

  @Option(
      names = {"-p", "--port"},
      defaultValue = "18811",
      description = "The UDP/TCP port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = {"-t", "--timeout"},
      defaultValue = "240",
      paramLabel = "<seconds>",
      description =
          "Forget servers that do not re-register within this time (default: ${DEFAULT-VALUE}).")
  long pruningSeconds;

  @Option(
      names = {"-l", "--listing"},
      description = "Answer requests for the list of all service names.")
  boolean listing;

  @Option(
      names = "--logfile",
      paramLabel = "<file>",
      description = "Log to this file instead of stderr.")
  Path logfile;

  @Option(
      names = {"-q", "--quiet"},
      description = "Log errors and warnings only.")
  boolean quiet;

  /** Runs the command; exits when the registry is closed (SIGINT/SIGTERM). */
  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  static CommandLine commandLine() {
    return new CommandLine(new RegistryServerCommand()).setCaseInsensitiveEnumValuesAllowed(true);
  }

  @Override
  public Integer call() throws Exception {
    if (pruningSeconds < 1) {
      System.err.println("registry-server: --timeout must be at least 1 second");
      return 2;
    }
    configureLogging(quiet, logfile);
    RegistryServer registry =
        RegistryServer.builder()
            .mode(mode)
            .host(host)
            .port(port)
            .pruningTimeout(Duration.ofSeconds(pruningSeconds))
            .allowListing(listing)
            .build()
            .start();
    Runtime.getRuntime().addShutdownHook(new Thread(registry::close, "registry-server-shutdown"));
    System.out.println(
        "registry-server listening on "
            + registry.address().getHostString()
            + ":"
            + registry.port()
            + " ("
            + mode
            + ", pruning after "
            + pruningSeconds
            + " s, listing "
            + (listing ? "enabled" : "disabled")
            + ")");
    System.out.flush();
    registry.awaitClosed();
    return 0;
  }

  /** Sets up slf4j-simple before the first logger is created. */
  private static void configureLogging(boolean quiet, Path logfile) {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", quiet ? "warn" : "info");
    System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
    System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss.SSS");
    if (logfile != null) {
      System.setProperty("org.slf4j.simpleLogger.logFile", logfile.toString());
    }
  }

  /** The version printed by {@code --version}. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = RegistryServerCommand.class.getPackage().getImplementationVersion();
      return new String[] {"registry-server " + (v == null ? "(development build)" : v)};
    }
  }
}
