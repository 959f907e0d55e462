package io.rpyc.registry.zookeeper;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.rpyc.Endpoint;
import io.rpyc.Registrar;
import io.rpyc.Rpyc;
import io.rpyc.ServiceNotFoundException;
import io.rpyc.internal.registry.Registration;
import io.rpyc.internal.registry.RegistrationRequest;
import io.rpyc.internal.registry.RegistryBackends;
import io.rpyc.testing.Await;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.apache.curator.x.discovery.ServiceDiscoveryBuilder;
import org.apache.curator.x.discovery.ServiceInstance;
import org.apache.zookeeper.util.ServiceUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Our zk:// entries and Curator's own ServiceDiscovery (curator-x-discovery) understand each other.
 */
class CuratorDiscoveryInteropIT {
  static {
    // a ZooKeeper node that fails to start must fail this test, not end the test JVM
    ServiceUtils.setSystemExitProcedure(ServiceUtils.LOG_ONLY);
  }

  private static final Duration WAIT = Duration.ofSeconds(15);

  private TestingServer zooKeeper;
  private CuratorFramework client;
  private ServiceDiscovery<Void> curator;
  private Registrar registrar;

  @BeforeEach
  void start() throws Exception {
    zooKeeper = new TestingServer(ZooKeeperRegistryIT.fastTicks(-1), true);
    client = CuratorFrameworkFactory.newClient(zooKeeper.getConnectString(), new RetryOneTime(100));
    client.start();
    curator = ServiceDiscoveryBuilder.builder(Void.class).client(client).basePath("/rpyc").build();
    curator.start();
    registrar = Registrar.of("zk://" + zooKeeper.getConnectString() + "/rpyc");
  }

  @AfterEach
  void stop() throws Exception {
    RegistryBackends.closeAll();
    curator.close();
    client.close();
    zooKeeper.close();
  }

  @Test
  void curatorsServiceDiscovery_findsAServerWeRegistered() throws Exception {
    Registration registration =
        RegistryBackends.open(registrar)
            .register(
                new RegistrationRequest(
                    List.of("CALC"), "127.0.0.1", 18861, null, Duration.ofMinutes(1)));
    try {
      Await.until(
          WAIT,
          () -> {
            try {
              return curator.queryForInstances("CALC").size() == 1;
            } catch (Exception e) {
              return false;
            }
          },
          "the instance, seen by Curator");
      Collection<ServiceInstance<Void>> instances = curator.queryForInstances("CALC");
      ServiceInstance<Void> instance = instances.iterator().next();
      assertEquals("127.0.0.1", instance.getAddress());
      assertEquals(18861, instance.getPort());
      assertEquals("CALC", instance.getName());
    } finally {
      registration.close();
    }
  }

  @Test
  void weFindAServiceThatCuratorRegistered() throws Exception {
    curator.registerService(
        ServiceInstance.<Void>builder().name("CALC").address("10.1.2.3").port(4242).build());
    Await.until(
        WAIT,
        () -> {
          try {
            return Rpyc.discover("calc", registrar).equals(List.of(new Endpoint("10.1.2.3", 4242)));
          } catch (ServiceNotFoundException e) {
            return false;
          }
        },
        "the instance Curator registered");
  }
}
