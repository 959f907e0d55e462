package io.rpyc.testing;

import java.io.IOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away PKI for TLS tests: a CA, a server certificate for 127.0.0.1 and localhost and a
 * client certificate, both signed by it, and an unrelated CA; written as PEM files (keys PKCS#8).
 */
public final class TestPki {
  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

  public final Path caCert;
  public final Path serverCert;
  public final Path serverKey;
  public final Path clientCert;
  public final Path clientKey;
  public final Path otherCaCert;
  public final Path otherClientCert;
  public final Path otherClientKey;

  private TestPki(Path dir)
      throws IOException, GeneralSecurityException, OperatorCreationException {
    KeyPair caKeys = keys();
    X509Certificate ca =
        certificate("CN=rpyc test CA", caKeys, "CN=rpyc test CA", caKeys.getPrivate(), true, null);
    KeyPair serverKeys = keys();
    X509Certificate server =
        certificate(
            "CN=localhost",
            serverKeys,
            "CN=rpyc test CA",
            caKeys.getPrivate(),
            false,
            new GeneralNames(
                new GeneralName[] {
                  new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                  new GeneralName(GeneralName.dNSName, "localhost")
                }));
    KeyPair clientKeys = keys();
    X509Certificate client =
        certificate(
            "CN=test-client", clientKeys, "CN=rpyc test CA", caKeys.getPrivate(), false, null);
    KeyPair otherKeys = keys();
    X509Certificate other =
        certificate("CN=other CA", otherKeys, "CN=other CA", otherKeys.getPrivate(), true, null);
    KeyPair strangerKeys = keys();
    X509Certificate stranger =
        certificate(
            "CN=stranger", strangerKeys, "CN=other CA", otherKeys.getPrivate(), false, null);

    caCert = pem(dir.resolve("ca.pem"), ca);
    serverCert = pem(dir.resolve("server.pem"), server);
    serverKey = key(dir.resolve("server.key"), serverKeys.getPrivate());
    clientCert = pem(dir.resolve("client.pem"), client);
    clientKey = key(dir.resolve("client.key"), clientKeys.getPrivate());
    otherCaCert = pem(dir.resolve("other-ca.pem"), other);
    otherClientCert = pem(dir.resolve("stranger.pem"), stranger);
    otherClientKey = key(dir.resolve("stranger.key"), strangerKeys.getPrivate());
  }

  /** Generates the PKI into {@code dir}. */
  public static TestPki create(Path dir) throws Exception {
    return new TestPki(dir);
  }

  private static KeyPair keys() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  private static X509Certificate certificate(
      String subject,
      KeyPair keys,
      String issuer,
      PrivateKey issuerKey,
      boolean ca,
      GeneralNames names)
      throws IOException, GeneralSecurityException, OperatorCreationException {
    Instant now = Instant.now();
    X509v3CertificateBuilder b =
        new JcaX509v3CertificateBuilder(
            new X500Name(issuer),
            BigInteger.valueOf(SERIAL.incrementAndGet()),
            Date.from(now.minus(Duration.ofHours(1))),
            Date.from(now.plus(Duration.ofDays(2))),
            new X500Name(subject),
            keys.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
    b.addExtension(
        Extension.keyUsage,
        true,
        new KeyUsage(
            ca
                ? KeyUsage.keyCertSign | KeyUsage.cRLSign
                : KeyUsage.digitalSignature | KeyUsage.keyAgreement));
    if (names != null) {
      b.addExtension(Extension.subjectAlternativeName, false, names);
    }
    return new JcaX509CertificateConverter()
        .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
  }

  private static Path pem(Path file, X509Certificate cert) throws IOException {
    try (Writer w = Files.newBufferedWriter(file, StandardCharsets.US_ASCII);
        JcaPEMWriter pem = new JcaPEMWriter(w)) {
      pem.writeObject(cert);
    }
    return file;
  }

  private static Path key(Path file, PrivateKey key) throws IOException {
    try (Writer w = Files.newBufferedWriter(file, StandardCharsets.US_ASCII);
        JcaPEMWriter pem = new JcaPEMWriter(w)) {
      pem.writeObject(new JcaPKCS8Generator(key, null));
    }
    return file;
  }
}
