package io.rpyc.registry.zookeeper;

import io.rpyc.internal.registry.Registration;
import io.rpyc.internal.registry.RegistrationRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One server's entries in ZooKeeper: an ephemeral node per alias, owned by a session of its own.
 * The nodes are created in the background whenever the client (re)connects, so a registry that is
 * down is waited for without blocking anyone, and a session that expired (a long pause, a
 * partition) is followed by the nodes' return under the new one. A server that dies stops renewing
 * its session, and ZooKeeper deletes its nodes when the session expires.
 *
 * <p>All of a server's nodes are created in one transaction, so that no one finds the server under
 * one of its aliases and misses it under another (RPyC's registry, too, registers every alias of a
 * server with one message). The transaction runs, with synchronous calls, on a thread of the
 * registration's own: a thread that waits for ZooKeeper must not be Curator's.
 *
 * <p>Closing ends the session, which deletes the nodes at once when the ensemble is reachable. No
 * explicit deletes: those would retry, for seconds, against an unreachable ensemble, while the
 * session's end removes the nodes either way.
 */
final class ZooKeeperRegistration implements Registration {
  private static final Logger log = LoggerFactory.getLogger(ZooKeeperRegistration.class);

  /** Transactions that conflict (a node left by an older session, a parent deleted) are retried. */
  private static final int ATTEMPTS = 5;

  private final String description;
  private final CuratorFramework client;
  private final Map<String, byte[]> nodes = new LinkedHashMap<>();
  private final Consumer<ZooKeeperRegistration> onClose;
  private final ExecutorService worker =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "rpyc-zk-registration");
            t.setDaemon(true);
            return t;
          });
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
                try {
                  worker.execute(this::createNodes);
                } catch (RejectedExecutionException closed) {
                  // Closed meanwhile: nothing to create.
                }
              }
            });
    client.start();
    log.info("registering {}", description);
  }

  /**
   * Makes this session own every node: creates the missing ones and replaces those of an older
   * session (which the ensemble may not have expired yet), all in one transaction.
   */
  private void createNodes() {
    boolean parents = false;
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      try {
        if (parents) {
          // The alias nodes are containers, which ZooKeeper deletes once they are empty.
          for (String path : nodes.keySet()) {
            client.createContainers(ZKPaths.getPathAndNode(path).getPath());
          }
        }
        // The first attempt assumes nothing exists, as after a session expiry or on first start.
        List<CuratorOp> ops = operations(attempt > 0);
        if (!ops.isEmpty()) {
          client.transaction().forOperations(ops);
          log.debug("created {}", nodes.keySet());
        }
        return;
      } catch (KeeperException.NoNodeException e) {
        parents = true;
      } catch (KeeperException.NodeExistsException | KeeperException.BadVersionException e) {
        // Some node is left by an older session, or was replaced meanwhile: look again.
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (KeeperException.ConnectionLossException
          | KeeperException.SessionExpiredException
          | IllegalStateException e) {
        // Connection trouble, or closed: the next (re)connection creates them.
        log.debug("creating {} failed", nodes.keySet(), e);
        return;
      } catch (Exception e) {
        // e.g. NOAUTH or a quota: not something a retry mends; a reconnection tries again
        log.warn("could not register {}: {}", this, e.toString());
        return;
      }
    }
    log.warn(
        "could not register {}: its nodes kept changing; trying again when it reconnects", this);
  }

  private List<CuratorOp> operations(boolean lookFirst) throws Exception {
    long session = client.getZookeeperClient().getZooKeeper().getSessionId();
    List<CuratorOp> ops = new ArrayList<>();
    for (Map.Entry<String, byte[]> node : nodes.entrySet()) {
      String path = node.getKey();
      if (lookFirst) {
        Stat stat = client.checkExists().forPath(path);
        if (stat != null && stat.getEphemeralOwner() == session) {
          continue;
        }
        if (stat != null) {
          ops.add(client.transactionOp().delete().withVersion(stat.getVersion()).forPath(path));
        }
      }
      ops.add(
          client
              .transactionOp()
              .create()
              .withMode(CreateMode.EPHEMERAL)
              .forPath(path, node.getValue()));
    }
    return ops;
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
      worker.shutdownNow();
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
