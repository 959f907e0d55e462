package io.rpyc.it;

import static io.rpyc.testing.Discovery.found;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.rpyc.ClassicConnection;
import io.rpyc.Endpoint;
import io.rpyc.Registrar;
import io.rpyc.Rpyc;
import io.rpyc.ServiceNotFoundException;
import io.rpyc.internal.registry.RegistryBackends;
import io.rpyc.registry.RegistryServer;
import io.rpyc.testing.Await;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code bin/classic-server --register} in its own JVM against an in-process TCP registry: it
 * registers under RPyC's classic names, SLAVE and CLASSIC, and is gone once the process is stopped.
 */
class ClassicServerRegistrationIT {
  private static final Duration WAIT = Duration.ofSeconds(20);

  private RegistryServer registry;
  private ClassicServerProcess server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
    if (registry != null) {
      registry.close();
    }
    RegistryBackends.closeAll();
  }

  @Test
  void theCommand_registersAsSlaveAndClassic_andUnregistersWhenStopped() throws Exception {
    registry =
        RegistryServer.builder()
            .mode(RegistryServer.Mode.TCP)
            .host("127.0.0.1")
            .port(0)
            .build()
            .start();
    Registrar registrar = Registrar.tcp("127.0.0.1", registry.port());
    server =
        ClassicServerProcess.start(
            "",
            "--port",
            "0",
            "-q",
            "--register",
            "--registry-type",
            "tcp",
            "--registry-host",
            "127.0.0.1",
            "--registry-port",
            String.valueOf(registry.port()));
    List<Endpoint> expected = List.of(new Endpoint("127.0.0.1", server.port()));
    Await.until(WAIT, () -> found(registrar, "SLAVE").equals(expected), "the SLAVE registration");
    assertEquals(expected, Rpyc.discover("CLASSIC", registrar));
    assertEquals(expected, Rpyc.discover("classic", registrar), "names are case-insensitive");
    // and the registered address is that process's classic service
    try (ClassicConnection conn = Rpyc.classic().connect("127.0.0.1", expected.get(0).port())) {
      assertEquals(
          Long.valueOf(server.process.pid()),
          Rpyc.ref(conn.modules().get("java.lang.ProcessHandle").call("current")).call("pid"));
    }

    server.close(); // SIGTERM: the shutdown hook closes the server, which unregisters first
    assertFalse(server.process.isAlive(), "stopped by SIGTERM:\n" + server.console());
    assertThrows(ServiceNotFoundException.class, () -> Rpyc.discover("SLAVE", registrar));
    assertThrows(ServiceNotFoundException.class, () -> Rpyc.discover("CLASSIC", registrar));
  }
}
