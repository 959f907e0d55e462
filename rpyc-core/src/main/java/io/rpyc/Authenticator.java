package io.rpyc;

/**
 * Decides, before RPyC starts on a connection, whether the peer may use it: RPyC's authenticator.
 * On a server it runs for every accepted connection (after TLS), on a worker thread, and what it
 * returns becomes the connection's {@linkplain Connection#credentials() credentials}, readable by
 * the service; throwing refuses the peer, and the connection closes without any service code
 * running. A client may run one too (see {@link RpycConfig.Builder#authenticator}), for schemes
 * with two sides such as {@link Authenticators#sharedSecret}.
 *
 * <pre>{@code
 * RpycServer.builder().service(CalcService::new)
 *     .tls(Tls.server(cert, key).requireClientCertificates(ca))
 *     .authenticator(Authenticators.tlsClientCertificate())   // credentials: the client's certificate
 *     ...
 * }</pre>
 *
 * <p>Implementations must be thread-safe: one instance serves every connection.
 */
@FunctionalInterface
public interface Authenticator {
  /**
   * Authenticates the peer.
   *
   * @return the peer's credentials (any object, or {@code null})
   * @throws Exception to refuse the peer; an {@link AuthenticationException} says why
   */
  Object authenticate(AuthContext context) throws Exception;
}
