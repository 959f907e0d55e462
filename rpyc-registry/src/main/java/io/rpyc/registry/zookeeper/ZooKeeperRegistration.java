package io.rpyc.registry.zookeeper;

import io.rpyc.internal.registry.Registration;
import io.rpyc.internal.registry.RegistrationRequest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.CuratorEvent;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One server's entries in ZooKeeper: an ephemeral node per alias, owned by a session of its own.
 * The nodes are created in the background whenever the client (re)connects, so a registry that is
 * down is waited for without blocking anyone, and a session that expired (a long pause, a
 * partition) is followed by the nodes' return under the new one. A server that dies stops renewing
 * its session, and ZooKeeper deletes its nodes when the session expires.
 *
 * <p>Closing ends the session, which deletes the nodes at once when the ensemble is reachable. No
 * explicit deletes: those would retry, for seconds, against an unreachable ensemble, while the
 * session's end removes the nodes either way.
 */
final class ZooKeeperRegistration implements Registration {
  private static final Logger log = LoggerFactory.getLogger(ZooKeeperRegistration.class);

  private final String description;
  private final CuratorFramework client;
  private final Map<String, byte[]> nodes = new LinkedHashMap<>();
  private final Consumer<ZooKeeperRegistration> onClose;
  private boolean closed;

  ZooKeeperRegistration(
      ZooKeeperSettings settings,
      RegistrationRequest request,
      Consumer<ZooKeeperRegistration> onClose) {
    this.onClose = onClose;
    String host = request.reachableHost();
    this.description =
        request.aliases() + " at " + host + ":" + request.port() + " with " + settings;
    long now = System.currentTimeMillis();
    for (String alias : request.aliases()) {
      String id = UUID.randomUUID().toString();
      nodes.put(
          ZKPaths.makePath(settings.basePath(), alias, id),
          ServiceInstanceJson.write(alias, id, host, request.port(), now));
    }
    this.client = settings.newClient();
    client
        .getConnectionStateListenable()
        .addListener(
            (c, state) -> {
              // RECONNECTED also follows a session expiry, which deleted the nodes.
              if (state == ConnectionState.CONNECTED || state == ConnectionState.RECONNECTED) {
                nodes.keySet().forEach(this::create);
              }
            });
    client.start();
    log.info("registering {}", description);
  }

  private void create(String path) {
    try {
      client
          .create()
          .creatingParentContainersIfNeeded()
          .withMode(CreateMode.EPHEMERAL)
          .inBackground((c, event) -> created(path, event))
          .forPath(path, nodes.get(path));
    } catch (Exception e) {
      // Only a closed client refuses to queue the operation.
      log.debug("cannot create {}", path, e);
    }
  }

  private void created(String path, CuratorEvent event) throws Exception {
    KeeperException.Code code = KeeperException.Code.get(event.getResultCode());
    if (code == KeeperException.Code.OK) {
      log.debug("created {}", path);
    } else if (code == KeeperException.Code.NODEEXISTS) {
      // Ours (the id is unique), but maybe left by a session the server has not expired yet:
      // recreate it then, so that it lives exactly as long as the current session.
      client.checkExists().inBackground((c, e) -> recreateIfStale(path, e)).forPath(path);
    } else {
      // Connection trouble: the next (re)connection creates it.
      log.debug("creating {} failed: {}", path, code);
    }
  }

  private void recreateIfStale(String path, CuratorEvent exists) throws Exception {
    long session = client.getZookeeperClient().getZooKeeper().getSessionId();
    if (exists.getStat() == null) {
      create(path); // deleted in the meantime
    } else if (exists.getStat().getEphemeralOwner() != session) {
      client.delete().inBackground((c, e) -> create(path)).forPath(path);
    }
  }

  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    try {
      client.close();
    } finally {
      onClose.accept(this);
      log.info("unregistered {}", description);
    }
  }

  /** The client owning this registration's session; for tests. */
  CuratorFramework client() {
    return client;
  }

  @Override
  public String toString() {
    return description;
  }
}
