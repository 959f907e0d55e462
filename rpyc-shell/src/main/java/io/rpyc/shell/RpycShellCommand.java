package io.rpyc.shell;

import io.rpyc.Authenticators;
import io.rpyc.ClassicConnector;
import io.rpyc.Rpyc;
import io.rpyc.RpycConfig;
import io.rpyc.Tls;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.terminal.impl.DumbTerminal;
import org.jline.utils.Signals;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code bin/rpyc-shell}: an interactive Java shell in a remote JVM (a {@code classic-server}), see
 * {@link RemoteShell}. Exit code 0 when the user leaves, 2 on bad options.
 */
@Command(
    name = "rpyc-shell",
    mixinStandardHelpOptions = true,
    versionProvider = RpycShellCommand.Version.class,
    description = {
      "An interactive Java shell whose snippets run in a remote JVM: connects to a classic server"
          + " (bin/classic-server) and evaluates each input with its jshell.",
      "Type /help inside for the commands."
    })
public final class RpycShellCommand implements Callable<Integer> {
  /** Where the history is kept unless {@code --history} says otherwise. */
  static final Path DEFAULT_HISTORY =
      Path.of(System.getProperty("user.home"), ".rpyc_shell_history");

  @Parameters(
      arity = "0..1",
      paramLabel = "host[:port]",
      description =
          "The classic server; default localhost, port 18812 (18821 with TLS, as classic-server).")
  String address = "localhost";

  @Option(
      names = "--ssl",
      description = "Connect with TLS, trusting the JDK's default certificate authorities.")
  boolean ssl;

  @Option(
      names = "--ssl-cafile",
      paramLabel = "<pem>",
      description = "Connect with TLS, trusting the server certificates these CAs signed (PEM).")
  Path caFile;

  @Option(
      names = "--ssl-certfile",
      paramLabel = "<pem>",
      description = "Present this client certificate chain (PEM); needs --ssl-keyfile.")
  Path certFile;

  @Option(
      names = "--ssl-keyfile",
      paramLabel = "<pem>",
      description = "The private key of --ssl-certfile (PEM, PKCS#8).")
  Path keyFile;

  @Option(
      names = "--auth-secret-file",
      paramLabel = "<file>",
      description = "Answer the server's shared-secret handshake with the secret in this file.")
  Path secretFile;

  @Option(
      names = "--history",
      paramLabel = "<file>",
      description = "Keep the input history in this file (default ~/.rpyc_shell_history).")
  Path history = DEFAULT_HISTORY;

  @Option(
      names = "--timeout",
      paramLabel = "<seconds>",
      description =
          "How long connecting and each completion may take (default 30); snippets may run"
              + " longer (Ctrl-C stops them).")
  int timeoutSeconds = 30;

  @Option(names = "--log", description = "Show the library's warnings (default: errors only).")
  boolean log;

  /** Runs the shell; exits when the user leaves it. */
  public static void main(String[] args) {
    System.exit(new CommandLine(new RpycShellCommand()).execute(args));
  }

  @Override
  public Integer call() throws IOException {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", log ? "warn" : "error");
    if ((certFile == null) != (keyFile == null)) {
      System.err.println("rpyc-shell: --ssl-certfile and --ssl-keyfile go together");
      return 2;
    }
    RpycConfig.Builder config =
        RpycConfig.builder()
            .connectTimeout(Duration.ofSeconds(timeoutSeconds))
            .syncRequestTimeout(Duration.ofSeconds(timeoutSeconds))
            .keepAliveInterval(Duration.ofSeconds(10)); // a dead server is noticed, not waited on
    if (secretFile != null) {
      config.authenticator(Authenticators.sharedSecret(Authenticators.readSecret(secretFile)));
    }
    Tls tls = tls();
    ClassicConnector classic = Rpyc.classic().withConfig(config.build());
    RemoteShell.Connector connector =
        tls == null ? classic::connect : (host, port) -> classic.sslConnect(host, port, tls);
    int port = tls == null ? Rpyc.CLASSIC_PORT : Rpyc.CLASSIC_SSL_PORT;
    try (SystemTerminal system = systemTerminal()) {
      RemoteShell.builder(system.terminal)
          .connector(connector, port)
          .connectTo(address)
          .historyFile(history)
          .build()
          .run();
    }
    return 0;
  }

  private Tls tls() {
    if (!ssl && caFile == null && certFile == null) {
      return null;
    }
    Tls tls = Tls.client();
    if (caFile != null) {
      tls = tls.trust(caFile);
    }
    if (certFile != null) {
      tls = tls.clientCertificate(certFile, keyFile);
    }
    return tls;
  }

  /**
   * This process's terminal: Ctrl-C reaches the shell as a signal (it stops the running snippet)
   * instead of ending the JVM; piped input gets a dumb terminal. Closing it gives SIGINT back.
   */
  static SystemTerminal systemTerminal() throws IOException {
    Terminal terminal =
        TerminalBuilder.builder()
            .name("rpyc-shell")
            .system(true)
            .dumb(true) // piped input: no warning, just no line editing
            .nativeSignals(true)
            .signalHandler(Terminal.SignalHandler.SIG_IGN)
            .build();
    Object forwarding = null;
    if (terminal instanceof DumbTerminal) {
      // JLine forwards the process's SIGINT to a real terminal only; do it for the dumb one too
      forwarding = Signals.register("INT", () -> terminal.raise(Terminal.Signal.INT));
    }
    return new SystemTerminal(terminal, forwarding);
  }

  /** The process's terminal and the SIGINT forwarding to undo when it closes. */
  static final class SystemTerminal implements AutoCloseable {
    final Terminal terminal;
    private final Object forwarding;

    SystemTerminal(Terminal terminal, Object forwarding) {
      this.terminal = terminal;
      this.forwarding = forwarding;
    }

    @Override
    public void close() throws IOException {
      if (forwarding != null) {
        Signals.unregister("INT", forwarding);
      }
      terminal.close();
    }
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = RpycShellCommand.class.getPackage().getImplementationVersion();
      return new String[] {"rpyc-shell " + (v == null ? "(development build)" : v)};
    }
  }
}
