package io.rpyc.internal.registry;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rpyc.DiscoveryException;
import io.rpyc.Registrar;
import io.rpyc.Rpyc;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Failure modes of the built-in back ends, without any registry running. */
class RegistryBackendsTest {

  @AfterEach
  void closeBackends() {
    RegistryBackends.closeAll();
  }

  @Test
  void aSchemeWithoutProvider_namesTheMissingModule() {
    DiscoveryException e =
        assertThrows(
            DiscoveryException.class, () -> Rpyc.discover("CALC", Registrar.of("zk://h:1/rpyc")));
    assertTrue(e.getMessage().contains("rpyc-registry"), e.getMessage());
  }

  @Test
  void theSameRegistrar_sharesOneBackend() {
    Registrar r = Registrar.tcp("127.0.0.1", 1);
    assertSame(RegistryBackends.open(r), RegistryBackends.open(Registrar.of("tcp://127.0.0.1:1")));
  }

  @Test
  void aSilentUdpRegistry_failsAfterTheTimeout() throws IOException {
    // A bound socket that never answers stands for a registry that is down.
    try (DatagramSocket silent =
        new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      Registrar r =
          Registrar.udp("127.0.0.1", silent.getLocalPort()).withTimeout(Duration.ofMillis(200));
      long start = System.nanoTime();
      DiscoveryException e =
          assertTimeoutPreemptively(
              Duration.ofSeconds(5),
              () -> assertThrows(DiscoveryException.class, () -> Rpyc.discover("CALC", r)));
      assertTrue(e.getMessage().contains("no registry answered"), e.getMessage());
      assertTrue(System.nanoTime() - start >= 150_000_000L, "waited the timeout");
    }
  }

  @Test
  void aTcpRegistryNobodyListensOn_failsAtOnce() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Registrar r = Registrar.tcp("127.0.0.1", port);
    DiscoveryException e =
        assertTimeoutPreemptively(
            Duration.ofSeconds(5),
            () -> assertThrows(DiscoveryException.class, () -> Rpyc.listServices(r)));
    assertTrue(e.getMessage().contains("cannot reach"), e.getMessage());
  }

  @Test
  void aTcpRegistryThatAcceptsButNeverAnswers_failsAfterTheTimeout() throws IOException {
    try (ServerSocket mute = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Registrar r =
          Registrar.tcp("127.0.0.1", mute.getLocalPort()).withTimeout(Duration.ofMillis(200));
      DiscoveryException e =
          assertTimeoutPreemptively(
              Duration.ofSeconds(5),
              () -> assertThrows(DiscoveryException.class, () -> Rpyc.discover("CALC", r)));
      assertTrue(e.getMessage().contains("no reply"), e.getMessage());
    }
  }
}
