package io.rpyc;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * TLS settings for one side of a connection: certificates and keys as PEM files (keys in PKCS#8,
 * {@code -----BEGIN PRIVATE KEY-----}; convert others with {@code openssl pkcs8 -topk8 -nocrypt}).
 * Immutable and thread-safe. TLS runs on Conscrypt (BoringSSL) when it loads on the platform, else
 * on the JDK's provider; see {@code docs/security.md}.
 *
 * <pre>{@code
 * // server: its certificate; with a CA, client certificates are required and checked
 * RpycServer.builder().service(CalcService::new)
 *     .tls(Tls.server(Path.of("server.pem"), Path.of("server.key")).requireClientCertificates(Path.of("ca.pem")))
 *     ...;
 * // client: trust the CA (default: the JDK's trust store); optionally present a certificate
 * Connection conn = Rpyc.sslConnect("calc.example", 18861,
 *     Tls.client().trust(Path.of("ca.pem")).clientCertificate(Path.of("client.pem"), Path.of("client.key")));
 * }</pre>
 *
 * <p>A client verifies the server's certificate chain and that it names the host it connected to
 * (hostname verification); there is no switch to turn verification off.
 */
public final class Tls {
  private final boolean server;
  private final Path certificateChain;
  private final Path privateKey;
  private final Path trustedCertificates;

  private Tls(boolean server, Path certificateChain, Path privateKey, Path trustedCertificates) {
    this.server = server;
    this.certificateChain = certificateChain;
    this.privateKey = privateKey;
    this.trustedCertificates = trustedCertificates;
  }

  /** Server side: the server's certificate chain and private key (PEM). */
  public static Tls server(Path certificateChain, Path privateKey) {
    return new Tls(true, readable(certificateChain), readable(privateKey), null);
  }

  /** Client side, trusting the JDK's default certificate authorities. */
  public static Tls client() {
    return new Tls(false, null, null, null);
  }

  /**
   * Server: require a client certificate signed by one of these CAs (RPyC's {@code ca_certs}).
   * Client: trust servers whose certificates these CAs signed, instead of the JDK's defaults.
   */
  public Tls trust(Path caCertificates) {
    return new Tls(server, certificateChain, privateKey, readable(caCertificates));
  }

  /** Server side: {@link #trust}, which makes client certificates required. */
  public Tls requireClientCertificates(Path caCertificates) {
    if (!server) {
      throw new IllegalStateException("requireClientCertificates is a server setting");
    }
    return trust(caCertificates);
  }

  /** Client side: present this certificate chain and key to servers that ask for one. */
  public Tls clientCertificate(Path certificateChain, Path privateKey) {
    if (server) {
      throw new IllegalStateException("clientCertificate is a client setting");
    }
    return new Tls(false, readable(certificateChain), readable(privateKey), trustedCertificates);
  }

  /** Whether these are server settings. */
  public boolean isServer() {
    return server;
  }

  /** The certificate chain (the server's, or the client's own), or {@code null}. */
  public Path certificateChain() {
    return certificateChain;
  }

  /** The private key of {@link #certificateChain()}, or {@code null}. */
  public Path privateKey() {
    return privateKey;
  }

  /** The trusted CA certificates, or {@code null} for none (server) or the JDK's (client). */
  public Path trustedCertificates() {
    return trustedCertificates;
  }

  private static Path readable(Path p) {
    Objects.requireNonNull(p, "path");
    if (!Files.isReadable(p)) {
      throw new IllegalArgumentException("cannot read " + p);
    }
    return p;
  }

  @Override
  public String toString() {
    return (server ? "Tls.server(" + certificateChain + ")" : "Tls.client()")
        + (trustedCertificates == null ? "" : ".trust(" + trustedCertificates + ")");
  }
}
