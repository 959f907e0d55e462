package io.rpyc.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link RegistryServer} over real sockets on 127.0.0.1, with rpyc-java's own registrar on the
 * other end: every scenario in UDP and in TCP mode.
 */
class RegistryServerIT {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final List<AutoCloseable> opened = new ArrayList<>();

  @AfterEach
  void closeEverything() throws Exception {
    for (int i = opened.size() - 1; i >= 0; i--) {
      opened.get(i).close();
    }
    RegistryBackends.closeAll();
  }

  private RegistryServer start(RegistryServer.Builder builder) {
    RegistryServer registry = builder.build().start();
    opened.add(registry);
    return registry;
  }

  private RegistryServer start(RegistryServer.Mode mode) {
    return start(builder(mode));
  }

  /** A registry on loopback and a free port. */
  private static RegistryServer.Builder builder(RegistryServer.Mode mode) {
    return RegistryServer.builder().mode(mode).host("127.0.0.1").port(0);
  }

  private static Registrar registrarFor(RegistryServer registry) {
    return registry.mode() == RegistryServer.Mode.UDP
        ? Registrar.udp("127.0.0.1", registry.port())
        : Registrar.tcp("127.0.0.1", registry.port());
  }

  private Registration register(Registrar registrar, int port, Duration refresh, String... names) {
    Registration r =
        RegistryBackends.open(registrar)
            .register(new RegistrationRequest(List.of(names), "127.0.0.1", port, null, refresh));
    opened.add(r);
    return r;
  }

  private static boolean isRegistered(Registrar registrar, String name, int port) {
    try {
      return Rpyc.discover(name, registrar).contains(new Endpoint("127.0.0.1", port));
    } catch (ServiceNotFoundException e) {
      return false;
    }
  }

  @ParameterizedTest
  @EnumSource(RegistryServer.Mode.class)
  void fiftyServices_registeredByName_areEachDiscoveredByEveryAlias(RegistryServer.Mode mode) {
    RegistryServer registry = start(mode);
    Registrar registrar = registrarFor(registry);
    List<Registration> registrations = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      registrations.add(
          register(registrar, 20_000 + i, Duration.ofMinutes(1), "SERVICE" + i, "ALIAS" + i));
    }
    for (int i = 0; i < 50; i++) {
      int n = i;
      Await.until(WAIT, () -> isRegistered(registrar, "service" + n, 20_000 + n), "SERVICE" + n);
      List<Endpoint> expected = List.of(new Endpoint("127.0.0.1", 20_000 + i));
      assertEquals(expected, Rpyc.discover("SERVICE" + i, registrar));
      assertEquals(expected, Rpyc.discover("Alias" + i, registrar));
    }
    registrations.forEach(Registration::close);
    for (int i = 0; i < 50; i++) {
      String name = "SERVICE" + i;
      assertThrows(ServiceNotFoundException.class, () -> Rpyc.discover(name, registrar));
    }
  }

  @ParameterizedTest
  @EnumSource(RegistryServer.Mode.class)
  void severalServersForOneName_comeLeastRecentlyRegisteredFirst(RegistryServer.Mode mode) {
    Registrar registrar = registrarFor(start(mode));
    register(registrar, 30_001, Duration.ofMinutes(1), "CALC");
    Await.until(WAIT, () -> isRegistered(registrar, "CALC", 30_001), "the first server");
    register(registrar, 30_002, Duration.ofMinutes(1), "CALC");
    Await.until(WAIT, () -> isRegistered(registrar, "CALC", 30_002), "the second server");
    assertEquals(
        List.of(new Endpoint("127.0.0.1", 30_001), new Endpoint("127.0.0.1", 30_002)),
        Rpyc.discover("CALC", registrar));
  }

  @ParameterizedTest
  @EnumSource(RegistryServer.Mode.class)
  void anEntryNobodyRefreshes_expiresAfterThePruningTimeout(RegistryServer.Mode mode) {
    RegistryServer registry = start(builder(mode).pruningTimeout(Duration.ofMillis(300)));
    Registrar registrar = registrarFor(registry);
    long start = System.nanoTime();
    register(registrar, 30_003, Duration.ofMinutes(1), "SHORTLIVED");
    Await.until(WAIT, () -> isRegistered(registrar, "SHORTLIVED", 30_003), "the registration");
    Await.until(WAIT, () -> !isRegistered(registrar, "SHORTLIVED", 30_003), "the expiry");
    assertTrue(System.nanoTime() - start >= 300_000_000L, "not before the pruning timeout");
  }

  @ParameterizedTest
  @EnumSource(RegistryServer.Mode.class)
  void aClosedRegistration_isGoneWhenCloseReturns(RegistryServer.Mode mode) {
    Registrar registrar = registrarFor(start(mode));
    Registration registration = register(registrar, 30_004, Duration.ofMinutes(1), "CALC", "ADD");
    Await.until(WAIT, () -> isRegistered(registrar, "ADD", 30_004), "the registration");
    registration.close();
    assertThrows(ServiceNotFoundException.class, () -> Rpyc.discover("CALC", registrar));
    assertThrows(ServiceNotFoundException.class, () -> Rpyc.discover("ADD", registrar));
  }

  @ParameterizedTest
  @EnumSource(RegistryServer.Mode.class)
  void aRestartedRegistry_learnsTheServerAgainAtItsNextRefresh(RegistryServer.Mode mode) {
    RegistryServer first = start(mode);
    int port = first.port();
    // A short timeout: attempts made while no registry listens wait for it in vain.
    Registrar registrar = registrarFor(first).withTimeout(Duration.ofMillis(200));
    register(registrar, 30_005, Duration.ofMillis(100), "CALC");
    Await.until(WAIT, () -> isRegistered(registrar, "CALC", 30_005), "the registration");
    first.close();
    start(builder(mode).port(port));
    // The new registry starts empty; only the server's periodic REGISTER can fill it.
    Await.until(WAIT, () -> isRegistered(registrar, "CALC", 30_005), "the re-registration");
  }

  @ParameterizedTest
  @EnumSource(RegistryServer.Mode.class)
  void listServices_isAnsweredOnlyWhenListingIsEnabled(RegistryServer.Mode mode) {
    Registrar closed = registrarFor(start(mode));
    DiscoveryException refused =
        assertThrows(DiscoveryException.class, () -> Rpyc.listServices(closed));
    assertTrue(refused.getMessage().contains("does not allow listing"), refused.getMessage());

    Registrar open = registrarFor(start(builder(mode).allowListing(true)));
    assertEquals(List.of(), Rpyc.listServices(open));
    register(open, 30_006, Duration.ofMinutes(1), "CALC", "CALCULATOR");
    Await.until(WAIT, () -> isRegistered(open, "CALC", 30_006), "the registration");
    assertEquals(List.of("CALC", "CALCULATOR"), Rpyc.listServices(open));
  }

  @ParameterizedTest
  @EnumSource(RegistryServer.Mode.class)
  void aNameNobodyServes_failsAtOnceWithServiceNotFound(RegistryServer.Mode mode) {
    Registrar registrar = registrarFor(start(mode));
    ServiceNotFoundException e =
        assertTimeoutPreemptively(
            Duration.ofSeconds(1),
            () ->
                assertThrows(
                    ServiceNotFoundException.class, () -> Rpyc.discover("NOBODY", registrar)));
    assertEquals("NOBODY", e.serviceName());
    assertTrue(e.getMessage().startsWith("no server for service NOBODY"), e.getMessage());
    assertThrows(ServiceNotFoundException.class, () -> Rpyc.connectByService("NOBODY", registrar));
  }
}
