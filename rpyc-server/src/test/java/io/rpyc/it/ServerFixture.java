package io.rpyc.it;

import io.rpyc.Connection;
import io.rpyc.Rpyc;
import io.rpyc.RpycConfig;
import io.rpyc.Service;
import io.rpyc.VoidService;
import io.rpyc.server.RpycServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** Starts servers on 127.0.0.1:0 and opens client connections; closes everything at the end. */
final class ServerFixture implements AutoCloseable {
  private final List<AutoCloseable> opened = new ArrayList<>();

  RpycServer start(Supplier<? extends Service> service) {
    return start(service, RpycConfig.defaults());
  }

  RpycServer start(Supplier<? extends Service> service, RpycConfig config) {
    RpycServer server =
        RpycServer.builder()
            .service(service)
            .config(config)
            .shutdownGrace(Duration.ofSeconds(1))
            .build()
            .start();
    opened.add(server);
    return server;
  }

  /** Closes {@code resource} at the end of the test. */
  <T extends AutoCloseable> T track(T resource) {
    opened.add(resource);
    return resource;
  }

  Connection connect(RpycServer server) {
    return connect(server, RpycConfig.defaults());
  }

  Connection connect(RpycServer server, RpycConfig config) {
    return connect(server, new VoidService(), config);
  }

  Connection connect(RpycServer server, Service local, RpycConfig config) {
    Connection c = Rpyc.connect("127.0.0.1", server.port(), local, config);
    opened.add(c);
    return c;
  }

  @Override
  public void close() {
    RuntimeException failure = null;
    for (int i = opened.size() - 1; i >= 0; i--) {
      try {
        opened.get(i).close();
      } catch (Exception e) {
        failure =
            failure == null ? new RuntimeException("closing test resources failed", e) : failure;
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
