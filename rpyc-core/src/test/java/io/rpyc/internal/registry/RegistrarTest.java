package io.rpyc.internal.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.rpyc.Endpoint;
import io.rpyc.Registrar;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link Registrar}'s URIs and {@link RegistrarUris}. */
class RegistrarTest {

  @Test
  void broadcast_isRpycsDefaultAddress() {
    Registrar r = Registrar.broadcast();
    assertEquals("udp://255.255.255.255:18811", r.uri().toString());
    assertEquals(Duration.ofSeconds(2), r.timeout());
  }

  @Test
  void udpAndTcp_fillInTheRegistryPort() {
    assertEquals("tcp://registry.example:18811", Registrar.tcp("registry.example").toString());
    assertEquals(Registrar.udp("10.0.0.1", 9999), Registrar.of("UDP://10.0.0.1:9999"));
    assertEquals(Registrar.tcp("h"), Registrar.of("tcp://h/"));
  }

  @Test
  void ipv6Hosts_areBracketed() {
    assertEquals("udp://[::1]:18811", Registrar.udp("::1").toString());
    assertEquals(Registrar.udp("::1", 5), Registrar.of("udp://[::1]:5"));
  }

  @Test
  void timeoutParameter_setsTheTimeoutAndLeavesTheUri() {
    Registrar r = Registrar.of("tcp://h:1?timeout=500ms");
    assertEquals(Duration.ofMillis(500), r.timeout());
    assertEquals("tcp://h:1", r.uri().toString());
    assertEquals(r, Registrar.tcp("h", 1).withTimeout(Duration.ofMillis(500)));
  }

  @Test
  void zooKeeper_keepsTheConnectStringPathAndParameters() {
    Registrar r = Registrar.of("zk://a:2181,b:2182/services?sessionTimeout=5s&timeout=3s");
    assertEquals("zk", r.scheme());
    assertEquals("a:2181,b:2182", r.uri().getRawAuthority());
    assertEquals("/services", r.uri().getPath());
    assertEquals(Map.of("sessionTimeout", "5s"), RegistrarUris.parameters(r.uri()));
    assertEquals(Duration.ofSeconds(3), r.timeout());
    assertEquals("zk://zk1:2181/rpyc", Registrar.zooKeeper("zk1:2181").uri().toString());
    assertEquals("zk://zk1/rpyc", Registrar.of("zk://zk1").uri().toString());
  }

  @Test
  void malformedUris_areRejected() {
    assertThrows(IllegalArgumentException.class, () -> Registrar.of("localhost:18811"));
    assertThrows(IllegalArgumentException.class, () -> Registrar.of("udp://h:notaport"));
    assertThrows(IllegalArgumentException.class, () -> Registrar.of("udp://h:70000"));
    assertThrows(IllegalArgumentException.class, () -> Registrar.of("tcp://h/path"));
    assertThrows(IllegalArgumentException.class, () -> Registrar.of("tcp://h?color=blue"));
    assertThrows(IllegalArgumentException.class, () -> Registrar.of("tcp://h?timeout=soon"));
    assertThrows(IllegalArgumentException.class, () -> Registrar.of("tcp://h?timeout=0s"));
    assertThrows(IllegalArgumentException.class, () -> Registrar.udp("", 1));
  }

  @Test
  void defaults_followTheSystemProperty() {
    String old = System.getProperty(Registrar.DEFAULT_PROPERTY);
    try {
      System.clearProperty(Registrar.DEFAULT_PROPERTY);
      assertEquals(Registrar.broadcast(), Registrar.defaults());
      System.setProperty(Registrar.DEFAULT_PROPERTY, "tcp://127.0.0.1:1");
      assertEquals(Registrar.tcp("127.0.0.1", 1), Registrar.defaults());
    } finally {
      if (old == null) {
        System.clearProperty(Registrar.DEFAULT_PROPERTY);
      } else {
        System.setProperty(Registrar.DEFAULT_PROPERTY, old);
      }
    }
  }

  @Test
  void durations_acceptUnitsAndIso8601() {
    assertEquals(Duration.ofMillis(1500), RegistrarUris.duration("1500ms", "t"));
    assertEquals(Duration.ofSeconds(2), RegistrarUris.duration("2s", "t"));
    assertEquals(Duration.ofMinutes(1), RegistrarUris.duration("1m", "t"));
    assertEquals(Duration.ofSeconds(3), RegistrarUris.duration("PT3S", "t"));
    assertThrows(IllegalArgumentException.class, () -> RegistrarUris.duration("2", "t"));
  }

  @Test
  void connectStrings_splitIntoEndpoints() {
    assertEquals(
        List.of(new Endpoint("a", 2181), new Endpoint("b", 1), new Endpoint("::1", 2181)),
        RegistrarUris.endpoints("a,b:1,[::1]", 2181));
  }
}
