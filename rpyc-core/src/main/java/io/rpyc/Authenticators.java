package io.rpyc;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * The built-in {@link Authenticator}s: TLS client certificates, and a shared-secret
 * challenge–response for deployments without TLS.
 */
public final class Authenticators {
  private static final byte[] MAGIC = "RPYCJ-HMAC1".getBytes(StandardCharsets.US_ASCII);
  private static final int NONCE = 32;
  private static final int MAC = 32;
  private static final SecureRandom RANDOM = new SecureRandom();

  private Authenticators() {}

  /**
   * Server side: accepts peers that presented a TLS client certificate (which the server's {@code
   * Tls.requireClientCertificates} CA has verified during the handshake); the credentials are that
   * {@link X509Certificate}.
   */
  public static Authenticator tlsClientCertificate() {
    return context -> {
      SSLSession session =
          context
              .tlsSession()
              .orElseThrow(() -> new AuthenticationException("the connection does not use TLS"));
      Certificate[] chain;
      try {
        chain = session.getPeerCertificates();
      } catch (SSLPeerUnverifiedException e) {
        throw new AuthenticationException("the peer presented no client certificate", e);
      }
      if (chain.length == 0 || !(chain[0] instanceof X509Certificate)) {
        throw new AuthenticationException("the peer presented no X.509 client certificate");
      }
      return chain[0];
    };
  }

  /**
   * Both sides: a challenge–response with HMAC-SHA256 over fresh nonces, proving to each side that
   * the other knows {@code secret} without sending it (mutual; like dispy's secret). Use the same
   * secret on the server ({@code RpycServer.Builder.authenticator}) and on clients ({@code
   * RpycConfig.Builder.authenticator}). It authenticates but does not encrypt: use TLS for
   * confidentiality. The credentials are the string {@code "shared-secret"}.
   */
  public static Authenticator sharedSecret(byte[] secret) {
    Objects.requireNonNull(secret, "secret");
    if (secret.length < 16) {
      throw new IllegalArgumentException("a shared secret must have at least 16 bytes");
    }
    byte[] key = secret.clone();
    return context -> context.isServer() ? serverSide(context, key) : clientSide(context, key);
  }

  private static Object serverSide(AuthContext context, byte[] key) throws IOException {
    byte[] serverNonce = nonce();
    OutputStream out = context.output();
    out.write(concat(MAGIC, serverNonce));
    out.flush();
    DataInputStream in = new DataInputStream(context.input());
    byte[] clientNonce = new byte[NONCE];
    byte[] clientMac = new byte[MAC];
    in.readFully(clientNonce);
    in.readFully(clientMac);
    if (!MessageDigest.isEqual(clientMac, mac(key, "client", serverNonce, clientNonce))) {
      throw new AuthenticationException("the peer does not know the shared secret");
    }
    out.write(mac(key, "server", serverNonce, clientNonce));
    out.flush();
    return "shared-secret";
  }

  private static Object clientSide(AuthContext context, byte[] key) throws IOException {
    DataInputStream in = new DataInputStream(context.input());
    byte[] magic = new byte[MAGIC.length];
    in.readFully(magic);
    if (!Arrays.equals(magic, MAGIC)) {
      throw new AuthenticationException(
          "the server does not run the shared-secret handshake (is it an RPyC server without one?)");
    }
    byte[] serverNonce = new byte[NONCE];
    in.readFully(serverNonce);
    byte[] clientNonce = nonce();
    OutputStream out = context.output();
    out.write(concat(clientNonce, mac(key, "client", serverNonce, clientNonce)));
    out.flush();
    byte[] serverMac = new byte[MAC];
    try {
      in.readFully(serverMac);
    } catch (IOException e) {
      throw new AuthenticationException("the server refused the shared secret", e);
    }
    if (!MessageDigest.isEqual(serverMac, mac(key, "server", serverNonce, clientNonce))) {
      throw new AuthenticationException("the server does not know the shared secret");
    }
    return "shared-secret";
  }

  private static byte[] nonce() {
    byte[] n = new byte[NONCE];
    RANDOM.nextBytes(n);
    return n;
  }

  private static byte[] mac(byte[] key, String role, byte[] serverNonce, byte[] clientNonce) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      mac.update(role.getBytes(StandardCharsets.US_ASCII));
      mac.update(serverNonce);
      mac.update(clientNonce);
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** Reads a secret from a file (its bytes, trailing newlines removed), for command lines. */
  public static byte[] readSecret(java.nio.file.Path file) throws IOException {
    byte[] bytes = java.nio.file.Files.readAllBytes(file);
    int end = bytes.length;
    while (end > 0 && (bytes[end - 1] == '\n' || bytes[end - 1] == '\r')) {
      end--;
    }
    return Arrays.copyOf(bytes, end);
  }
}
