package io.rpyc.server.registry;

import static io.rpyc.testing.Discovery.found;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rpyc.Connection;
import io.rpyc.Endpoint;
import io.rpyc.Registrar;
import io.rpyc.Rpyc;
import io.rpyc.ServiceNotFoundException;
import io.rpyc.internal.registry.RegistrationRequest;
import io.rpyc.internal.registry.RegistryBackends;
import io.rpyc.registry.RegistryServer;
import io.rpyc.server.RpycServer;
import io.rpyc.server.demo.CalculatorService;
import io.rpyc.testing.Await;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.util.ServiceUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@link RpycServer}s registering themselves, and clients finding them by name. */
class ServerRegistrationIT {
  static {
    // a ZooKeeper node that fails to start must fail this test, not end the test JVM
    ServiceUtils.setSystemExitProcedure(ServiceUtils.LOG_ONLY);
  }

  private static final Duration WAIT = Duration.ofSeconds(15);

  private final List<AutoCloseable> opened = new ArrayList<>();

  @AfterEach
  void closeEverything() throws Exception {
    for (int i = opened.size() - 1; i >= 0; i--) {
      opened.get(i).close();
    }
    RegistryBackends.closeAll();
  }

  private <T extends AutoCloseable> T open(T resource) {
    opened.add(resource);
    return resource;
  }

  private RegistryServer registry(RegistryServer.Mode mode, int port) {
    return open(RegistryServer.builder().mode(mode).host("127.0.0.1").port(port).build().start());
  }

  private static Registrar registrarFor(RegistryServer registry) {
    return registry.mode() == RegistryServer.Mode.UDP
        ? Registrar.udp("127.0.0.1", registry.port()).withTimeout(Duration.ofMillis(500))
        : Registrar.tcp("127.0.0.1", registry.port()).withTimeout(Duration.ofMillis(500));
  }

  private RpycServer server(RpycServer.Builder builder) {
    return open(builder.shutdownGrace(Duration.ofSeconds(1)).build().start());
  }

  private static int unusedPort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @ParameterizedTest
  @EnumSource(RegistryServer.Mode.class)
  void aServer_registersEveryAlias_andIsGoneWhenItCloses(RegistryServer.Mode mode) {
    Registrar registrar = registrarFor(registry(mode, 0));
    RpycServer server =
        server(RpycServer.builder().service(CalculatorService.class).register(registrar));
    List<Endpoint> expected = List.of(new Endpoint("127.0.0.1", server.port()));
    Await.until(WAIT, () -> found(registrar, "CALCULATOR").equals(expected), "the registration");
    assertEquals(expected, Rpyc.discover("calc", registrar));
    try (Connection conn = Rpyc.connectByService("Calc", registrar)) {
      assertEquals(3, conn.root().call("add", 1, 2));
    }
    server.close();
    assertThrows(ServiceNotFoundException.class, () -> Rpyc.discover("CALCULATOR", registrar));
    assertThrows(ServiceNotFoundException.class, () -> Rpyc.discover("CALC", registrar));
  }

  @Test
  void aServiceFactory_registersTheAliasesOfTheClassItMakes() {
    Registrar registrar = registrarFor(registry(RegistryServer.Mode.TCP, 0));
    RpycServer server =
        server(RpycServer.builder().service(CalculatorService::new).register(registrar));
    Await.until(
        WAIT,
        () -> found(registrar, "CALC").equals(List.of(new Endpoint("127.0.0.1", server.port()))),
        "the registration");
  }

  @Test
  void explicitAliases_replaceTheServiceClasses() {
    Registrar registrar = registrarFor(registry(RegistryServer.Mode.TCP, 0));
    RpycServer server =
        server(
            RpycServer.builder()
                .service(CalculatorService.class)
                .registryAliases("Adder")
                .register(registrar));
    Await.until(
        WAIT,
        () -> found(registrar, "ADDER").equals(List.of(new Endpoint("127.0.0.1", server.port()))),
        "the registration");
    assertThrows(ServiceNotFoundException.class, () -> Rpyc.discover("CALC", registrar));
  }

  @Test
  void connectByService_skipsAServerThatIsGone() throws Exception {
    Registrar registrar = registrarFor(registry(RegistryServer.Mode.UDP, 0));
    // A server that crashed without unregistering: still listed, first (registered earlier).
    int dead = unusedPort();
    open(
        RegistryBackends.open(registrar)
            .register(
                new RegistrationRequest(
                    List.of("CALC"), "127.0.0.1", dead, null, Duration.ofMinutes(1))));
    Await.until(WAIT, () -> found(registrar, "CALC").size() == 1, "the dead entry");
    RpycServer live =
        server(RpycServer.builder().service(CalculatorService.class).register(registrar));
    List<Endpoint> both =
        List.of(new Endpoint("127.0.0.1", dead), new Endpoint("127.0.0.1", live.port()));
    Await.until(WAIT, () -> found(registrar, "CALC").equals(both), "both entries, dead first");

    try (Connection conn = Rpyc.connectByService("CALC", registrar)) {
      assertEquals(7, conn.root().call("add", 3, 4));
      assertEquals(live.port(), ((InetSocketAddress) conn.remoteAddress()).getPort());
    }
  }

  @Test
  void connectByService_whenEveryServerIsGone_namesThemAll() throws Exception {
    Registrar registrar = registrarFor(registry(RegistryServer.Mode.TCP, 0));
    int dead = unusedPort();
    open(
        RegistryBackends.open(registrar)
            .register(
                new RegistrationRequest(
                    List.of("CALC"), "127.0.0.1", dead, null, Duration.ofMinutes(1))));
    Await.until(WAIT, () -> found(registrar, "CALC").size() == 1, "the dead entry");
    ServiceNotFoundException e =
        assertThrows(
            ServiceNotFoundException.class, () -> Rpyc.connectByService("CALC", registrar));
    assertTrue(e.getMessage().contains("127.0.0.1:" + dead), e.getMessage());
    assertEquals(1, e.getSuppressed().length, "the connection failure is attached");
  }

  @Test
  void aRestartedRegistry_learnsTheServerAgainFromItsPeriodicRefresh() {
    RegistryServer first = registry(RegistryServer.Mode.UDP, 0);
    Registrar registrar = registrarFor(first);
    RpycServer server =
        server(
            RpycServer.builder()
                .service(CalculatorService.class)
                .reregisterInterval(Duration.ofMillis(100))
                .register(registrar));
    List<Endpoint> expected = List.of(new Endpoint("127.0.0.1", server.port()));
    Await.until(WAIT, () -> found(registrar, "CALC").equals(expected), "the registration");
    first.close();
    registry(RegistryServer.Mode.UDP, first.port());
    Await.until(WAIT, () -> found(registrar, "CALC").equals(expected), "the re-registration");
  }

  @Test
  void aServer_registersWithZooKeeper_andIsGoneWhenItCloses() throws Exception {
    TestingServer zooKeeper =
        open(new TestingServer(new InstanceSpec(null, -1, -1, -1, true, -1, 100, -1), true));
    Registrar registrar =
        Registrar.of("zk://" + zooKeeper.getConnectString() + "/rpyc?sessionTimeout=2s");
    RpycServer server =
        server(RpycServer.builder().service(CalculatorService.class).register(registrar));
    List<Endpoint> expected = List.of(new Endpoint("127.0.0.1", server.port()));
    Await.until(WAIT, () -> found(registrar, "CALCULATOR").equals(expected), "the registration");
    try (Connection conn = Rpyc.connectByService("CALC", registrar)) {
      assertEquals(3, conn.root().call("add", 1, 2));
    }
    assertEquals(List.of("CALC", "CALCULATOR"), Rpyc.listServices(registrar));
    server.close();
    Await.until(WAIT, () -> found(registrar, "CALC").isEmpty(), "the unregistration");
  }
}
