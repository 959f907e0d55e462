package io.rpyc.registry.zookeeper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rpyc.Endpoint;
import io.rpyc.Registrar;
import io.rpyc.Rpyc;
import io.rpyc.ServiceNotFoundException;
import io.rpyc.internal.registry.Registration;
import io.rpyc.internal.registry.RegistrationRequest;
import io.rpyc.internal.registry.RegistryBackends;
import io.rpyc.testing.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.apache.zookeeper.util.ServiceUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Discovery on a 3-node ZooKeeper ensemble that loses a node. */
class ZooKeeperClusterIT {
  static {
    // a ZooKeeper node that fails to start must fail this test, not end the test JVM
    ServiceUtils.setSystemExitProcedure(ServiceUtils.LOG_ONLY);
  }

  private static final Duration WAIT = Duration.ofSeconds(30);

  private final List<AutoCloseable> opened = new ArrayList<>();

  @AfterEach
  void closeEverything() throws Exception {
    for (int i = opened.size() - 1; i >= 0; i--) {
      opened.get(i).close();
    }
    RegistryBackends.closeAll();
  }

  private Registration register(Registrar registrar, int port, String alias) {
    Registration r =
        RegistryBackends.open(registrar)
            .register(
                new RegistrationRequest(
                    List.of(alias), "127.0.0.1", port, null, Duration.ofMinutes(1)));
    opened.add(r);
    return r;
  }

  private static boolean finds(Registrar registrar, String name, int port) {
    try {
      return Rpyc.discover(name, registrar).equals(List.of(new Endpoint("127.0.0.1", port)));
    } catch (ServiceNotFoundException e) {
      return false;
    }
  }

  /**
   * Three nodes on free ports. A port found free may be taken before the node binds it (nine are
   * needed), which fails the node's start: then the cluster is built again on other ports.
   */
  private TestingCluster startCluster() throws Exception {
    for (int attempt = 1; ; attempt++) {
      List<InstanceSpec> specs = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        specs.add(new InstanceSpec(null, -1, -1, -1, true, -1, 200, -1));
      }
      TestingCluster cluster = new TestingCluster(specs);
      try {
        cluster.start();
        opened.add(cluster);
        return cluster;
      } catch (Exception e) {
        cluster.close();
        if (attempt == 3) {
          throw e;
        }
      }
    }
  }

  @Test
  void discoveryKeepsWorking_whenTheNodeItTalksToIsKilled() throws Exception {
    TestingCluster cluster = startCluster();
    Registrar registrar =
        Registrar.of("zk://" + cluster.getConnectString() + "/rpyc?sessionTimeout=4s&timeout=10s");

    Registration before = register(registrar, 2001, "BEFORE");
    Await.until(WAIT, () -> finds(registrar, "BEFORE", 2001), "the first registration");

    ZooKeeperRegistry discovery = (ZooKeeperRegistry) RegistryBackends.open(registrar);
    InstanceSpec victim =
        cluster.findConnectionInstance(
            discovery.discoveryClient().getZookeeperClient().getZooKeeper());
    assertNotNull(victim, "the discovery client is connected to a node");
    assertTrue(cluster.killServer(victim), "killed the node on port " + victim.getPort());

    assertTrue(finds(registrar, "BEFORE", 2001), "still known while reconnecting");
    // Needs the discovery client re-attached to a live node and its watches re-established.
    register(registrar, 2002, "AFTER");
    Await.until(WAIT, () -> finds(registrar, "AFTER", 2002), "a registration after the kill");
    before.close();
    Await.until(
        WAIT,
        () -> {
          try {
            Rpyc.discover("BEFORE", registrar);
            return false;
          } catch (ServiceNotFoundException gone) {
            return true;
          }
        },
        "an unregistration after the kill");
    assertEquals(List.of(new Endpoint("127.0.0.1", 2002)), Rpyc.discover("AFTER", registrar));
  }
}
