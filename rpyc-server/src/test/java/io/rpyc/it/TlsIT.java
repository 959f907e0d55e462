package io.rpyc.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rpyc.AuthenticationException;
import io.rpyc.Authenticators;
import io.rpyc.Connection;
import io.rpyc.ConnectionClosedException;
import io.rpyc.Rpyc;
import io.rpyc.RpycConfig;
import io.rpyc.RpycException;
import io.rpyc.Tls;
import io.rpyc.VoidService;
import io.rpyc.internal.transport.TlsContexts;
import io.rpyc.server.RpycServer;
import io.rpyc.testing.TestPki;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS (Conscrypt), mutual TLS, and the built-in authenticators. */
class TlsIT {
  @TempDir static Path dir;
  private static TestPki pki;
  private final ServerFixture fixture = new ServerFixture();

  @BeforeAll
  static void generateCertificates() throws Exception {
    pki = TestPki.create(dir);
  }

  @AfterEach
  void stop() {
    fixture.close();
  }

  private RpycServer server(RpycServer.Builder builder) {
    RpycServer server = builder.service(TestService::new).build().start();
    fixture.track(server);
    return server;
  }

  private Connection connect(RpycServer server, RpycConfig config) {
    return fixture.track(Rpyc.connect("127.0.0.1", server.port(), new VoidService(), config));
  }

  @Test
  void tls_carriesTheProtocol_throughConscrypt() {
    assertEquals("Conscrypt", TlsContexts.providerName(), "Conscrypt loads on this platform");
    RpycServer server = server(RpycServer.builder().tls(Tls.server(pki.serverCert, pki.serverKey)));
    Connection conn =
        fixture.track(Rpyc.sslConnect("127.0.0.1", server.port(), Tls.client().trust(pki.caCert)));
    assertTrue(conn.isJavaPeer());
    assertEquals(3, conn.root().call("add", 1, 2));
    assertEquals("null", conn.root().call("credentials"));
  }

  @Test
  void hostnameVerification_acceptsTheNamesOnTheCertificate() {
    RpycServer server = server(RpycServer.builder().tls(Tls.server(pki.serverCert, pki.serverKey)));
    Connection conn =
        fixture.track(Rpyc.sslConnect("localhost", server.port(), Tls.client().trust(pki.caCert)));
    assertEquals(3, conn.root().call("add", 1, 2));
  }

  @Test
  void hostnameVerification_refusesANameNotOnTheCertificate() {
    RpycServer server =
        server(RpycServer.builder().host("0.0.0.0").tls(Tls.server(pki.serverCert, pki.serverKey)));
    RpycException e =
        assertThrows(
            RpycException.class,
            () -> Rpyc.sslConnect("127.0.0.2", server.port(), Tls.client().trust(pki.caCert)));
    assertTrue(e.getMessage().contains("TLS handshake"), e.getMessage());
  }

  @Test
  void anUntrustedServer_failsTheHandshakeClearly() {
    RpycServer server = server(RpycServer.builder().tls(Tls.server(pki.serverCert, pki.serverKey)));
    RpycException e =
        assertThrows(
            RpycException.class,
            () -> Rpyc.sslConnect("127.0.0.1", server.port(), Tls.client().trust(pki.otherCaCert)));
    assertTrue(e.getMessage().contains("TLS handshake"), e.getMessage());
    RpycException defaults =
        assertThrows(
            RpycException.class, () -> Rpyc.sslConnect("127.0.0.1", server.port(), Tls.client()));
    assertTrue(defaults.getMessage().contains("TLS handshake"), defaults.getMessage());
  }

  /**
   * A failed handshake closes the channel, which may empty its pipeline before the connecting
   * thread looks for the TLS handler there: that thread must still report the handshake. (It threw
   * a NullPointerException once in a CI run: the handler is now kept from when it was added.)
   */
  @Test
  void everyFailedHandshake_isReportedAsOne_howeverFastTheChannelCloses() {
    RpycServer server = server(RpycServer.builder().tls(Tls.server(pki.serverCert, pki.serverKey)));
    Tls untrusting = Tls.client().trust(pki.otherCaCert);
    for (int i = 0; i < 300; i++) {
      RpycException e =
          assertThrows(
              RpycException.class, () -> Rpyc.sslConnect("127.0.0.1", server.port(), untrusting));
      assertTrue(e.getMessage().contains("TLS handshake"), "round " + i + ": " + e.getMessage());
    }
  }

  @Test
  void aPlainClient_cannotTalkToATlsServer_andTheServerCarriesOn() {
    RpycServer server = server(RpycServer.builder().tls(Tls.server(pki.serverCert, pki.serverKey)));
    assertThrows(
        RpycException.class,
        () ->
            Rpyc.connect(
                "127.0.0.1",
                server.port(),
                RpycConfig.builder().connectTimeout(java.time.Duration.ofSeconds(2)).build()));
    Connection conn =
        fixture.track(Rpyc.sslConnect("127.0.0.1", server.port(), Tls.client().trust(pki.caCert)));
    assertEquals(3, conn.root().call("add", 1, 2));
  }

  @Test
  void aTlsServerAtItsConnectionCap_tellsTheClientWhy_overTls() {
    RpycServer server =
        server(
            RpycServer.builder().tls(Tls.server(pki.serverCert, pki.serverKey)).maxConnections(1));
    Connection admitted =
        fixture.track(Rpyc.sslConnect("127.0.0.1", server.port(), Tls.client().trust(pki.caCert)));
    assertEquals(3, admitted.root().call("add", 1, 2));
    ConnectionClosedException refused =
        assertThrows(
            ConnectionClosedException.class,
            () -> Rpyc.sslConnect("127.0.0.1", server.port(), Tls.client().trust(pki.caCert)));
    assertTrue(
        refused
            .getMessage()
            .contains(
                "the server refuses this connection: it already has 1 connection (its maximum)"),
        refused.getMessage());
    assertEquals(3, admitted.root().call("add", 1, 2));
  }

  @Test
  void mutualTls_requiresAClientCertificate_andMakesItTheCredentials() {
    RpycServer server =
        server(
            RpycServer.builder()
                .tls(
                    Tls.server(pki.serverCert, pki.serverKey).requireClientCertificates(pki.caCert))
                .authenticator(Authenticators.tlsClientCertificate()));
    int created = TestService.created.get();
    assertThrows(
        RpycException.class,
        () -> Rpyc.sslConnect("127.0.0.1", server.port(), Tls.client().trust(pki.caCert)));
    assertThrows(
        RpycException.class,
        () ->
            Rpyc.sslConnect(
                "127.0.0.1",
                server.port(),
                Tls.client()
                    .trust(pki.caCert)
                    .clientCertificate(pki.otherClientCert, pki.otherClientKey)));
    assertEquals(created, TestService.created.get(), "refused peers never got a service");
    Connection conn =
        fixture.track(
            Rpyc.sslConnect(
                "127.0.0.1",
                server.port(),
                Tls.client().trust(pki.caCert).clientCertificate(pki.clientCert, pki.clientKey)));
    assertEquals("CN=test-client", conn.root().call("credentials"));
  }

  private static final byte[] SECRET =
      "correct horse battery staple".getBytes(StandardCharsets.US_ASCII);

  @Test
  void sharedSecret_admitsPeersThatKnowIt() {
    RpycServer server =
        server(RpycServer.builder().authenticator(Authenticators.sharedSecret(SECRET)));
    Connection conn =
        connect(
            server,
            RpycConfig.builder().authenticator(Authenticators.sharedSecret(SECRET)).build());
    assertTrue(conn.isJavaPeer());
    assertEquals(3, conn.root().call("add", 1, 2));
    assertEquals("shared-secret", conn.root().call("credentials"));
    assertEquals("shared-secret", conn.credentials(), "the client authenticated the server too");
  }

  @Test
  void sharedSecret_refusesAWrongSecret_withoutRunningServiceCode() {
    RpycServer server =
        server(RpycServer.builder().authenticator(Authenticators.sharedSecret(SECRET)));
    int created = TestService.created.get();
    byte[] wrong = "not the right secret at all".getBytes(StandardCharsets.US_ASCII);
    assertThrows(
        AuthenticationException.class,
        () ->
            connect(
                server,
                RpycConfig.builder().authenticator(Authenticators.sharedSecret(wrong)).build()));
    RpycException plain =
        assertThrows(
            RpycException.class,
            () ->
                connect(
                    server,
                    RpycConfig.builder().connectTimeout(java.time.Duration.ofSeconds(2)).build()));
    assertTrue(plain.getMessage() != null);
    assertEquals(created, TestService.created.get(), "refused peers never got a service");
    assertEquals(
        3,
        connect(
                server,
                RpycConfig.builder().authenticator(Authenticators.sharedSecret(SECRET)).build())
            .root()
            .call("add", 1, 2));
  }

  @Test
  void aClientWithASecret_detectsAServerWithoutTheHandshake() {
    RpycServer server = server(RpycServer.builder());
    AuthenticationException e =
        assertThrows(
            AuthenticationException.class,
            () ->
                connect(
                    server,
                    RpycConfig.builder()
                        .authenticator(Authenticators.sharedSecret(SECRET))
                        .build()));
    assertTrue(e.getMessage() != null);
  }

  @Test
  void tlsAndASecret_combine() {
    RpycServer server =
        server(
            RpycServer.builder()
                .tls(Tls.server(pki.serverCert, pki.serverKey))
                .authenticator(Authenticators.sharedSecret(SECRET)));
    Connection conn =
        connect(
            server,
            RpycConfig.builder()
                .tls(Tls.client().trust(pki.caCert))
                .authenticator(Authenticators.sharedSecret(SECRET))
                .build());
    assertEquals(3, conn.root().call("add", 1, 2));
  }

  @Test
  void theCommandLine_servesMutualTlsAndASharedSecret() throws Exception {
    Path secretFile = dir.resolve("secret");
    java.nio.file.Files.write(secretFile, SECRET);
    try (ServerProcess server =
        ServerProcess.start(
            TestService.class,
            0,
            "--ssl-certfile",
            pki.serverCert.toString(),
            "--ssl-keyfile",
            pki.serverKey.toString(),
            "--ssl-cafile",
            pki.caCert.toString(),
            "--auth-secret-file",
            secretFile.toString())) {
      RpycConfig config =
          RpycConfig.builder()
              .tls(Tls.client().trust(pki.caCert).clientCertificate(pki.clientCert, pki.clientKey))
              .authenticator(Authenticators.sharedSecret(SECRET))
              .build();
      try (Connection conn = Rpyc.connect("127.0.0.1", server.port, new VoidService(), config)) {
        assertEquals("CN=test-client", conn.root().call("credentials"));
      }
      RpycConfig noSecret =
          RpycConfig.builder()
              .tls(Tls.client().trust(pki.caCert).clientCertificate(pki.clientCert, pki.clientKey))
              .connectTimeout(java.time.Duration.ofSeconds(2))
              .build();
      assertThrows(
          RpycException.class,
          () -> Rpyc.connect("127.0.0.1", server.port, new VoidService(), noSecret).close());
    }
  }
}
