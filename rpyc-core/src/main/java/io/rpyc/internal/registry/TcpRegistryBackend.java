package io.rpyc.internal.registry;

import io.rpyc.DiscoveryException;
import io.rpyc.Endpoint;
import io.rpyc.ProtocolViolationException;
import io.rpyc.Registrar;
import io.rpyc.Rpyc;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * RPyC's {@code TCPRegistryClient}: one request per connection. Connect, send the request, read the
 * reply until the registry closes the connection.
 */
final class TcpRegistryBackend implements RegistryBackend {
  private final Registrar registrar;
  private final Endpoint registry;
  private final int timeoutMillis;
  private final Set<RenewingRegistration> registrations = ConcurrentHashMap.newKeySet();

  TcpRegistryBackend(Registrar registrar) {
    this.registrar = registrar;
    this.registry = RegistrarUris.endpoint(registrar.uri().getRawAuthority(), Rpyc.REGISTRY_PORT);
    this.timeoutMillis = (int) Math.min(Integer.MAX_VALUE, registrar.timeout().toMillis());
  }

  @Override
  public List<Endpoint> discover(String name) {
    Object reply = exchange(RegistryMessages.query(name), null, RegistryMessages.MAX_REPLY_SIZE);
    try {
      return RegistryMessages.endpoints(reply);
    } catch (ProtocolViolationException e) {
      throw new DiscoveryException("the registry at " + registrar + " sent a bad reply", e);
    }
  }

  @Override
  public List<String> listServices() {
    Object reply = exchange(RegistryMessages.list(null), null, RegistryMessages.MAX_REPLY_SIZE);
    List<String> names;
    try {
      names = RegistryMessages.names(reply);
    } catch (ProtocolViolationException e) {
      throw new DiscoveryException("the registry at " + registrar + " sent a bad reply", e);
    }
    if (names == null) {
      throw new DiscoveryException(
          "the registry at " + registrar + " does not allow listing (start it with --listing)");
    }
    return names;
  }

  @Override
  public Registration register(RegistrationRequest request) {
    InetAddress source = request.sourceAddress();
    byte[] register = RegistryMessages.register(request.aliases(), request.port());
    byte[] unregister = RegistryMessages.unregister(request.port());
    RenewingRegistration.Exchange exchange =
        new RenewingRegistration.Exchange() {
          @Override
          public boolean register() {
            return RegistryMessages.OK.equals(
                exchange(register, source, RegistryMessages.MAX_DGRAM_SIZE));
          }

          @Override
          public void unregister(boolean awaitReply) {
            // Reading the reply (RPyC's client does not) means the entry is gone when we return.
            exchange(unregister, source, RegistryMessages.MAX_DGRAM_SIZE);
          }
        };
    RenewingRegistration registration =
        RenewingRegistration.start(
            exchange,
            request.aliases() + " port " + request.port() + " with " + registrar,
            request.refreshInterval(),
            registrar.timeout(),
            registrations::remove);
    registrations.add(registration);
    return registration;
  }

  /**
   * Sends {@code request} on a new connection and decodes the reply.
   *
   * @param source the local address to connect from, {@code null} for any
   * @throws DiscoveryException if the registry is unreachable, silent or garbled
   */
  private Object exchange(byte[] request, InetAddress source, int maxReply) {
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
    try (Socket socket = new Socket()) {
      if (source != null) {
        socket.bind(new InetSocketAddress(source, 0));
      }
      InetSocketAddress address = new InetSocketAddress(registry.host(), registry.port());
      if (address.isUnresolved()) {
        throw new DiscoveryException("unknown registry host in " + registrar);
      }
      socket.connect(address, timeoutMillis);
      socket.setTcpNoDelay(true);
      socket.getOutputStream().write(request);
      socket.getOutputStream().flush();
      // Tells our registry the request is complete; RPyC's, which reads once, does not mind.
      socket.shutdownOutput();
      byte[] reply = readAll(socket, deadline, maxReply);
      if (reply.length == 0) {
        throw new DiscoveryException("the registry at " + registrar + " closed without a reply");
      }
      return RegistryMessages.decode(reply, 0, reply.length);
    } catch (SocketTimeoutException e) {
      throw new DiscoveryException(
          "no reply from the registry at " + registrar + " within " + timeoutMillis + " ms", e);
    } catch (IOException e) {
      throw new DiscoveryException("cannot reach the registry at " + registrar + ": " + e, e);
    } catch (ProtocolViolationException e) {
      throw new DiscoveryException("the registry at " + registrar + " sent a bad reply", e);
    }
  }

  private static byte[] readAll(Socket socket, long deadline, int max) throws IOException {
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] chunk = new byte[4096];
    while (out.size() < max) {
      long left = (deadline - System.nanoTime()) / 1_000_000L;
      if (left <= 0) {
        throw new SocketTimeoutException("registry reply timed out");
      }
      socket.setSoTimeout((int) left);
      int n;
      try {
        n = in.read(chunk, 0, Math.min(chunk.length, max - out.size()));
      } catch (SocketTimeoutException e) {
        if (out.size() > 0) {
          break; // a reply without the close that should follow it: try what we have
        }
        throw e;
      }
      if (n < 0) {
        break;
      }
      out.write(chunk, 0, n);
    }
    return out.toByteArray();
  }

  @Override
  public void close() {
    for (RenewingRegistration r : List.copyOf(registrations)) {
      r.close();
    }
  }

  @Override
  public String toString() {
    return registrar.toString();
  }
}
