package io.rpyc.registry.zookeeper;

import io.rpyc.Registrar;
import io.rpyc.internal.registry.RegistrarUris;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.common.PathUtils;

/**
 * What a {@code zk://} registrar says: the ensemble, the base path, and the timeouts.
 *
 * @param connectString ZooKeeper's connect string, {@code host:port[,host:port...]}
 * @param basePath where services are kept, e.g. {@code /rpyc}
 * @param sessionTimeout how long ZooKeeper keeps a silent client's session (and its servers'
 *     ephemeral nodes); the ensemble may lower it to its {@code maxSessionTimeout}
 * @param timeout how long to wait for the ensemble (connecting, the first cache load)
 */
record ZooKeeperSettings(
    String connectString, String basePath, Duration sessionTimeout, Duration timeout) {

  /** Curator's default; ZooKeeper's default ensemble caps it at 40 s. */
  static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofSeconds(60);

  static ZooKeeperSettings of(Registrar registrar) {
    Map<String, String> parameters = new HashMap<>(RegistrarUris.parameters(registrar.uri()));
    String session = parameters.remove("sessionTimeout");
    if (!parameters.isEmpty()) {
      throw new IllegalArgumentException(
          "unknown parameter "
              + parameters.keySet()
              + " in "
              + registrar.uri()
              + " (zk:// knows sessionTimeout and timeout)");
    }
    String connectString = registrar.uri().getRawAuthority();
    // Checks the syntax; ZooKeeper's own parser would only complain when connecting.
    RegistrarUris.endpoints(connectString, Registrar.ZOOKEEPER_PORT);
    String basePath = registrar.uri().getPath();
    if (basePath.length() > 1 && basePath.endsWith("/")) {
      basePath = basePath.substring(0, basePath.length() - 1);
    }
    PathUtils.validatePath(basePath);
    return new ZooKeeperSettings(
        connectString,
        basePath,
        session == null
            ? DEFAULT_SESSION_TIMEOUT
            : RegistrarUris.duration(session, "sessionTimeout"),
        registrar.timeout());
  }

  /** A new, unstarted Curator client for the ensemble. */
  CuratorFramework newClient() {
    int session = (int) Math.min(Integer.MAX_VALUE, sessionTimeout.toMillis());
    return CuratorFrameworkFactory.builder()
        .connectString(connectString)
        .sessionTimeoutMs(session)
        // Curator warns when connecting may take longer than a session lives.
        .connectionTimeoutMs((int) Math.min(session, timeout.toMillis()))
        .retryPolicy(new ExponentialBackoffRetry(100, 5, 1000))
        // Closing waits this long for background work: a retry sleeping against an unreachable
        // ensemble is not worth a second of everyone's shutdown.
        .maxCloseWaitMs(250)
        .build();
  }

  @Override
  public String toString() {
    return "zk://" + connectString + basePath;
  }
}
