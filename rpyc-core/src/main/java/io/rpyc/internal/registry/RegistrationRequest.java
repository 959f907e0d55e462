package io.rpyc.internal.registry;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What a server asks to be registered as.
 *
 * @param aliases the names, upper-cased; at least one
 * @param bindHost the address the server listens on (possibly a wildcard such as {@code 0.0.0.0})
 * @param port the server's port
 * @param advertisedHost the host clients should connect to, or {@code null} to derive it from
 *     {@code bindHost}
 * @param refreshInterval how often registries without sessions (UDP, TCP) are refreshed
 */
public record RegistrationRequest(
    List<String> aliases,
    String bindHost,
    int port,
    String advertisedHost,
    Duration refreshInterval) {

  /** Checks and normalizes the components. */
  public RegistrationRequest {
    Objects.requireNonNull(bindHost, "bindHost");
    Objects.requireNonNull(refreshInterval, "refreshInterval");
    if (aliases.isEmpty()) {
      throw new IllegalArgumentException("no alias to register");
    }
    aliases = aliases.stream().map(a -> a.toUpperCase(Locale.ROOT)).toList();
    if (port <= 0 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
    if (refreshInterval.isZero() || refreshInterval.isNegative()) {
      throw new IllegalArgumentException("refreshInterval must be positive");
    }
  }

  /**
   * The local address a registration message should be sent from, or {@code null} for any. RPyC
   * binds its registrar socket to the server's host because the registry records the sender's
   * address: a server on loopback is then registered as {@code 127.0.0.1}, even by broadcast.
   */
  public InetAddress sourceAddress() {
    try {
      InetAddress address = InetAddress.getByName(bindHost);
      return address.isAnyLocalAddress() ? null : address;
    } catch (UnknownHostException e) {
      return null;
    }
  }

  /**
   * The host clients should connect to, for registries that store an address rather than observe
   * one (ZooKeeper): the advertised host, else the bound one, else for a wildcard bind this
   * machine's first non-loopback IPv4 address.
   */
  public String reachableHost() {
    if (advertisedHost != null) {
      return advertisedHost;
    }
    InetAddress source = sourceAddress();
    if (source != null) {
      return source.getHostAddress();
    }
    return firstNonLoopbackAddress();
  }

  private static String firstNonLoopbackAddress() {
    try {
      for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (!nic.isUp() || nic.isLoopback() || nic.isVirtual()) {
          continue;
        }
        for (InetAddress address : Collections.list(nic.getInetAddresses())) {
          if (address instanceof Inet4Address && !address.isLinkLocalAddress()) {
            return address.getHostAddress();
          }
        }
      }
      return InetAddress.getLocalHost().getHostAddress();
    } catch (SocketException | UnknownHostException e) {
      return InetAddress.getLoopbackAddress().getHostAddress();
    }
  }
}
