package io.rpyc;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.util.Optional;
import javax.net.ssl.SSLSession;

/**
 * What an {@link Authenticator} works with: the connection's raw byte streams before RPyC starts
 * (after TLS, if any), the peer's address and the TLS session. Reads time out (a peer that says
 * nothing is refused); at most 64 KiB may arrive before authentication completes.
 */
public interface AuthContext {
  /** Bytes from the peer. {@code read} blocks, returns -1 at end of stream, and times out. */
  InputStream input();

  /** Bytes to the peer; each {@code write} is sent at once. */
  OutputStream output();

  /** The peer's address. */
  SocketAddress remoteAddress();

  /** The TLS session, once the handshake completed, when the connection uses TLS. */
  Optional<SSLSession> tlsSession();

  /** Whether this side accepted the connection (the server) rather than opened it. */
  boolean isServer();
}
