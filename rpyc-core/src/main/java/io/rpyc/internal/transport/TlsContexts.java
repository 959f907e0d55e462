package io.rpyc.internal.transport;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.rpyc.RpycException;
import io.rpyc.Tls;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Provider;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.conscrypt.Conscrypt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Netty {@link SslContext}s from {@link Tls} settings, on Conscrypt (BoringSSL) when it loads here,
 * else on the JDK's provider (logged once). TLS 1.3 and 1.2 only.
 */
public final class TlsContexts {
  private static final Logger log = LoggerFactory.getLogger(TlsContexts.class);
  private static final Provider PROVIDER = loadConscrypt();

  private TlsContexts() {}

  private static Provider loadConscrypt() {
    try {
      if (Conscrypt.isAvailable()) {
        Provider provider = Conscrypt.newProvider();
        log.debug("TLS through Conscrypt {}", provider.getVersionStr());
        return provider;
      }
      log.info("Conscrypt is not available on this platform; TLS uses the JDK's provider");
    } catch (Throwable t) {
      log.info("Conscrypt could not load ({}); TLS uses the JDK's provider", t.toString());
    }
    return null;
  }

  /** The name of the TLS provider in use, e.g. {@code Conscrypt} or {@code JDK}. */
  public static String providerName() {
    return PROVIDER != null ? PROVIDER.getName() : "JDK";
  }

  /** A server context: its certificate, and client certificates required when a CA is given. */
  public static SslContext server(Tls tls) {
    if (!tls.isServer()) {
      throw new IllegalArgumentException("server TLS needs Tls.server(certificate, key)");
    }
    try {
      SslContextBuilder b =
          SslContextBuilder.forServer(tls.certificateChain().toFile(), tls.privateKey().toFile());
      if (tls.trustedCertificates() != null) {
        trust(b, tls.trustedCertificates()).clientAuth(ClientAuth.REQUIRE);
      }
      return common(b).build();
    } catch (SSLException | IllegalArgumentException e) {
      throw new RpycException("cannot set up TLS from " + tls + ": " + e.getMessage(), e);
    }
  }

  /** A client context: verifies the server's chain and host name. */
  public static SslContext client(Tls tls) {
    if (tls.isServer()) {
      throw new IllegalArgumentException("client TLS needs Tls.client()");
    }
    try {
      SslContextBuilder b = SslContextBuilder.forClient().endpointIdentificationAlgorithm("HTTPS");
      trust(b, tls.trustedCertificates());
      if (tls.certificateChain() != null) {
        b.keyManager(tls.certificateChain().toFile(), tls.privateKey().toFile());
      }
      return common(b).build();
    } catch (SSLException | IllegalArgumentException e) {
      throw new RpycException("cannot set up TLS from " + tls + ": " + e.getMessage(), e);
    }
  }

  /**
   * Trusts the CA certificates in {@code caFile}, or the JDK's default CAs when it is {@code null}.
   * With Conscrypt the trust manager must be Conscrypt's too: the JDK's refuses the "GENERIC"
   * authentication type Conscrypt reports for TLS 1.3.
   */
  private static SslContextBuilder trust(SslContextBuilder b, Path caFile) {
    if (PROVIDER == null) {
      return caFile == null ? b : b.trustManager(caFile.toFile());
    }
    try {
      Collection<? extends Certificate> cas;
      if (caFile != null) {
        try (InputStream in = Files.newInputStream(caFile)) {
          cas = CertificateFactory.getInstance("X.509").generateCertificates(in);
        }
      } else {
        TrustManagerFactory jdk =
            TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        jdk.init((KeyStore) null);
        List<Certificate> defaults = new ArrayList<>();
        for (TrustManager tm : jdk.getTrustManagers()) {
          if (tm instanceof X509TrustManager) {
            defaults.addAll(Arrays.asList(((X509TrustManager) tm).getAcceptedIssuers()));
          }
        }
        cas = defaults;
      }
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (Certificate ca : cas) {
        store.setCertificateEntry("ca-" + i++, ca);
      }
      TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX", PROVIDER);
      factory.init(store);
      return b.trustManager(factory);
    } catch (IOException | GeneralSecurityException e) {
      throw new RpycException(
          "cannot read trusted certificates" + (caFile == null ? "" : " from " + caFile) + ": " + e,
          e);
    }
  }

  private static SslContextBuilder common(SslContextBuilder b) {
    b.sslProvider(SslProvider.JDK).protocols("TLSv1.3", "TLSv1.2");
    if (PROVIDER != null) {
      b.sslContextProvider(PROVIDER);
    }
    return b;
  }
}
