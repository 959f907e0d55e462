package io.rpyc.registry.zookeeper;

import static io.rpyc.testing.Discovery.found;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rpyc.DiscoveryException;
import io.rpyc.Endpoint;
import io.rpyc.Registrar;
import io.rpyc.Rpyc;
import io.rpyc.ServiceNotFoundException;
import io.rpyc.internal.registry.Registration;
import io.rpyc.internal.registry.RegistrationRequest;
import io.rpyc.internal.registry.RegistryBackends;
import io.rpyc.testing.Await;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.KillSession;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.data.Stat;
import org.apache.zookeeper.util.ServiceUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The {@code zk://} back end against a real ZooKeeper running in this JVM. */
class ZooKeeperRegistryIT {
  static {
    // a ZooKeeper node that fails to start must fail this test, not end the test JVM
    ServiceUtils.setSystemExitProcedure(ServiceUtils.LOG_ONLY);
  }

  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final AtomicInteger PATHS = new AtomicInteger();

  private static TestingServer zooKeeper;

  private final List<AutoCloseable> opened = new ArrayList<>();

  /** A ZooKeeper with 100 ms ticks, so that sessions may be as short as 200 ms. */
  static InstanceSpec fastTicks(int port) {
    return new InstanceSpec(null, port, -1, -1, true, -1, 100, -1);
  }

  @BeforeAll
  static void startZooKeeper() throws Exception {
    zooKeeper = new TestingServer(fastTicks(-1), true);
  }

  @AfterAll
  static void stopZooKeeper() throws Exception {
    zooKeeper.close();
  }

  @AfterEach
  void closeEverything() throws Exception {
    for (int i = opened.size() - 1; i >= 0; i--) {
      opened.get(i).close();
    }
    RegistryBackends.closeAll();
  }

  /** A registrar with a base path of its own, so that tests do not see each other's servers. */
  private static Registrar registrar(String connectString) {
    return Registrar.of(
        "zk://" + connectString + "/rpyc-it-" + PATHS.incrementAndGet() + "?sessionTimeout=2s");
  }

  private Registration register(Registrar registrar, int port, String... aliases) {
    Registration r =
        RegistryBackends.open(registrar)
            .register(
                new RegistrationRequest(
                    List.of(aliases), "127.0.0.1", port, null, Duration.ofMinutes(1)));
    opened.add(r);
    return r;
  }

  private static List<Endpoint> at(int... ports) {
    List<Endpoint> endpoints = new ArrayList<>();
    for (int port : ports) {
      endpoints.add(new Endpoint("127.0.0.1", port));
    }
    return endpoints;
  }

  @Test
  void aRegisteredServer_isFoundByEveryAlias_andGoneOnceUnregistered() {
    Registrar registrar = registrar(zooKeeper.getConnectString());
    Registration registration = register(registrar, 18861, "CALC", "CALCULATOR");
    Await.until(WAIT, () -> found(registrar, "calc").equals(at(18861)), "the registration");
    assertEquals(at(18861), Rpyc.discover("Calculator", registrar));
    registration.close();
    Await.until(WAIT, () -> found(registrar, "CALC").isEmpty(), "the unregistration");
    assertThrows(ServiceNotFoundException.class, () -> Rpyc.discover("CALCULATOR", registrar));
  }

  @Test
  void aServer_isFoundUnderEveryAlias_asSoonAsZooKeeperHasIt_evenBeforeTheCacheHearsOfIt()
      throws Exception {
    String base = "/rpyc-it-" + PATHS.incrementAndGet();
    Registrar registrar =
        Registrar.of("zk://" + zooKeeper.getConnectString() + base + "?sessionTimeout=2s");
    register(registrar, 18870, "WARM");
    Await.until(WAIT, () -> found(registrar, "warm").equals(at(18870)), "the cache to load");
    try (CuratorFramework observer =
        CuratorFrameworkFactory.newClient(zooKeeper.getConnectString(), new RetryOneTime(100))) {
      observer.start();
      for (int round = 0; round < 20; round++) {
        int port = 18871 + round;
        String first = "FIRST" + round;
        String second = "SECOND" + round;
        register(registrar, port, first, second);
        // the moment ZooKeeper has the server under one alias (the nodes come in one
        // transaction), a discover under the other must find it, cache or not
        Await.until(
            WAIT, () -> hasChildren(observer, base + "/" + first), "the registration in ZooKeeper");
        assertEquals(at(port), Rpyc.discover(second.toLowerCase(Locale.ROOT), registrar));
      }
    }
  }

  private static boolean hasChildren(CuratorFramework client, String path) {
    try {
      return client.checkExists().forPath(path) != null
          && !client.getChildren().forPath(path).isEmpty();
    } catch (Exception e) {
      return false; // not there yet
    }
  }

  @Test
  void theWatchCache_learnsOfServersRegisteredAfterItLoaded() {
    Registrar registrar = registrar(zooKeeper.getConnectString());
    assertThrows(ServiceNotFoundException.class, () -> Rpyc.discover("LATE", registrar));
    register(registrar, 1001, "LATE");
    Await.until(WAIT, () -> found(registrar, "LATE").equals(at(1001)), "the first server");
    register(registrar, 1002, "LATE");
    // Oldest registration first, as RPyC's registry orders its answers.
    Await.until(WAIT, () -> found(registrar, "LATE").equals(at(1001, 1002)), "the second server");
  }

  @Test
  void listServices_namesEveryAliasWithALiveServer() {
    Registrar registrar = registrar(zooKeeper.getConnectString());
    assertEquals(List.of(), Rpyc.listServices(registrar));
    Registration first = register(registrar, 1001, "X", "Y");
    register(registrar, 1002, "Z");
    Await.until(
        WAIT, () -> Rpyc.listServices(registrar).equals(List.of("X", "Y", "Z")), "all names");
    first.close();
    Await.until(WAIT, () -> Rpyc.listServices(registrar).equals(List.of("Z")), "one name left");
  }

  @Test
  void discovery_answersFromItsCache_whileTheEnsembleIsDown() throws Exception {
    try (TestingServer own = new TestingServer(fastTicks(-1), true)) {
      Registrar registrar = registrar(own.getConnectString());
      register(registrar, 1003, "CACHED");
      Await.until(WAIT, () -> found(registrar, "CACHED").equals(at(1003)), "the registration");
      own.stop();
      assertTimeoutPreemptively(
          Duration.ofMillis(500),
          () -> assertEquals(at(1003), Rpyc.discover("CACHED", registrar)),
          "answered from memory, without waiting for the ensemble");
    }
  }

  @Test
  void aServerRegisteredWhileTheEnsembleIsDown_appearsOnceItIsUp() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    try (TestingServer later = new TestingServer(fastTicks(port), false)) {
      Registrar registrar = registrar(later.getConnectString());
      register(registrar, 1004, "PATIENT"); // must not block or fail
      later.start();
      Await.until(WAIT, () -> found(registrar, "PATIENT").equals(at(1004)), "the registration");
    }
  }

  @Test
  void aServerWhoseSessionExpired_isRegisteredAgainWithItsNewSession() throws Exception {
    Registrar registrar = registrar(zooKeeper.getConnectString());
    ZooKeeperRegistration registration =
        (ZooKeeperRegistration) register(registrar, 1005, "PHOENIX");
    Await.until(WAIT, () -> found(registrar, "PHOENIX").equals(at(1005)), "the registration");
    CuratorFramework client = registration.client();
    long oldSession = client.getZookeeperClient().getZooKeeper().getSessionId();
    KillSession.kill(client.getZookeeperClient().getZooKeeper());
    String base = registrar.uri().getPath() + "/PHOENIX";
    Await.until(
        WAIT,
        () -> {
          try {
            long session = client.getZookeeperClient().getZooKeeper().getSessionId();
            List<String> ids = client.getChildren().forPath(base);
            if (session == oldSession || ids.size() != 1) {
              return false;
            }
            Stat stat = client.checkExists().forPath(base + "/" + ids.get(0));
            return stat != null && stat.getEphemeralOwner() == session;
          } catch (Exception notYet) {
            return false;
          }
        },
        "the node recreated by the new session");
    assertNotEquals(oldSession, client.getZookeeperClient().getZooKeeper().getSessionId());
    Await.until(WAIT, () -> found(registrar, "PHOENIX").equals(at(1005)), "discoverable again");
  }

  @Test
  void anUnreachableEnsemble_failsDiscoveryWithinTheTimeout() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Registrar registrar = Registrar.of("zk://127.0.0.1:" + port + "/rpyc?timeout=300ms");
    DiscoveryException e =
        assertTimeoutPreemptively(
            Duration.ofSeconds(5),
            () -> assertThrows(DiscoveryException.class, () -> Rpyc.discover("CALC", registrar)));
    assertTrue(e.getMessage().contains("did not answer within 300 ms"), e.getMessage());
  }

  @Test
  void namesZooKeeperCannotStore_areRefusedAtRegistration() {
    Registrar registrar = registrar(zooKeeper.getConnectString());
    assertThrows(IllegalArgumentException.class, () -> register(registrar, 1, "A/B"));
    assertThrows(ServiceNotFoundException.class, () -> Rpyc.discover("A/B", registrar));
  }

  @Test
  void unknownUriParameters_areRefused() {
    assertThrows(
        IllegalArgumentException.class,
        () -> RegistryBackends.open(Registrar.of("zk://127.0.0.1:1/rpyc?color=blue")));
  }
}
