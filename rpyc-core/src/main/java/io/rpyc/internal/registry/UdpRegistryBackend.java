package io.rpyc.internal.registry;

import io.rpyc.DiscoveryException;
import io.rpyc.Endpoint;
import io.rpyc.ProtocolViolationException;
import io.rpyc.Registrar;
import io.rpyc.Rpyc;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RPyC's {@code UDPRegistryClient}: one datagram each way, to one registry or broadcast to every
 * registry on the network (any address with an octet 255, as RPyC decides).
 */
final class UdpRegistryBackend implements RegistryBackend {
  private static final Logger log = LoggerFactory.getLogger(UdpRegistryBackend.class);

  /** Marks "nothing came back": {@code null} is a legitimate reply (LIST refused). */
  private static final Object NO_REPLY = new Object();

  private final Registrar registrar;
  private final Endpoint registry;
  private final int timeoutMillis;
  private final Set<RenewingRegistration> registrations = ConcurrentHashMap.newKeySet();

  UdpRegistryBackend(Registrar registrar) {
    this.registrar = registrar;
    this.registry = RegistrarUris.endpoint(registrar.uri().getRawAuthority(), Rpyc.REGISTRY_PORT);
    this.timeoutMillis = (int) Math.min(Integer.MAX_VALUE, registrar.timeout().toMillis());
  }

  @Override
  public List<Endpoint> discover(String name) {
    Object reply =
        exchange(RegistryMessages.query(name), null, RegistryMessages.MAX_REPLY_SIZE, true);
    if (reply == NO_REPLY) {
      throw noAnswer();
    }
    try {
      return RegistryMessages.endpoints(reply);
    } catch (ProtocolViolationException e) {
      throw new DiscoveryException("the registry at " + registrar + " sent a bad reply", e);
    }
  }

  @Override
  public List<String> listServices() {
    Object reply =
        exchange(RegistryMessages.list(null), null, RegistryMessages.MAX_REPLY_SIZE, true);
    if (reply == NO_REPLY) {
      throw noAnswer();
    }
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

  private DiscoveryException noAnswer() {
    return new DiscoveryException(
        "no registry answered at " + registrar + " within " + timeoutMillis + " ms");
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
            Object reply = exchange(register, source, RegistryMessages.MAX_DGRAM_SIZE, true);
            return RegistryMessages.OK.equals(reply);
          }

          @Override
          public void unregister(boolean awaitReply) {
            exchange(unregister, source, RegistryMessages.MAX_DGRAM_SIZE, false, awaitReply);
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

  private Object exchange(byte[] request, InetAddress source, int maxReply, boolean raise) {
    return exchange(request, source, maxReply, raise, true);
  }

  /**
   * Sends one datagram and waits for the first decodable reply from the registry's port.
   *
   * @param source the local address to send from, {@code null} for any
   * @param raise whether failures to send throw, or count as no reply (UNREGISTER, which runs while
   *     a server closes and must not fail it)
   * @param awaitReply whether to wait for a reply at all
   * @return the reply, or {@link #NO_REPLY}
   */
  private Object exchange(
      byte[] request, InetAddress source, int maxReply, boolean raise, boolean awaitReply) {
    InetAddress target;
    try {
      target = InetAddress.getByName(registry.host());
    } catch (UnknownHostException e) {
      if (raise) {
        throw new DiscoveryException("unknown registry host in " + registrar, e);
      }
      return NO_REPLY;
    }
    boolean broadcast = isBroadcast(target);
    try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(source, 0))) {
      socket.setBroadcast(broadcast);
      socket.send(new DatagramPacket(request, request.length, target, registry.port()));
      if (!awaitReply) {
        return NO_REPLY;
      }
      long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
      byte[] buffer = new byte[maxReply];
      while (true) {
        long left = (deadline - System.nanoTime()) / 1_000_000L;
        if (left <= 0) {
          return NO_REPLY;
        }
        socket.setSoTimeout((int) left);
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        try {
          socket.receive(packet);
        } catch (SocketTimeoutException e) {
          return NO_REPLY;
        }
        // As RPyC: only the registry's port counts. Not its address: a broadcast is answered from
        // any, and a multi-homed registry may answer from another of its addresses.
        if (packet.getPort() != registry.port()) {
          continue;
        }
        try {
          return RegistryMessages.decode(buffer, 0, packet.getLength());
        } catch (ProtocolViolationException e) {
          log.debug("ignoring a malformed reply from {}", packet.getSocketAddress(), e);
        }
      }
    } catch (IOException e) {
      if (raise) {
        throw new DiscoveryException("cannot reach the registry at " + registrar + ": " + e, e);
      }
      log.debug("exchange with {} failed", registrar, e);
      return NO_REPLY;
    }
  }

  /** RPyC's rule: an IPv4 address with an octet 255 (it sets {@code SO_BROADCAST} then). */
  private static boolean isBroadcast(InetAddress address) {
    if (!(address instanceof Inet4Address)) {
      return false;
    }
    for (byte b : address.getAddress()) {
      if (b == (byte) 0xff) {
        return true;
      }
    }
    return false;
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
