package io.rpyc.registry.zookeeper;

import io.rpyc.DiscoveryException;
import io.rpyc.Endpoint;
import io.rpyc.internal.registry.Registration;
import io.rpyc.internal.registry.RegistrationRequest;
import io.rpyc.internal.registry.RegistryBackend;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.common.PathUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry as a ZooKeeper tree: {@code <basePath>/<ALIAS>/<id>}, one ephemeral node per (alias,
 * server). Lookups read a {@link CuratorCache} of the whole base path, which ZooKeeper's watches
 * keep current: after the first load, {@link #discover} and {@link #listServices} cost no round
 * trip, and keep answering (with what was last seen) while the ensemble is unreachable.
 *
 * <p>The cache learns of new nodes one by one, a moment after ZooKeeper has them, even of the nodes
 * a registration creates together. So {@link #discover} asks the ensemble about a name the cache
 * has no server for, when connected: a server found under one alias is then found under its others,
 * since this session has already seen the transaction that created them all.
 *
 * <p>Discovery uses one Curator client per back end, started on first use; each registration has a
 * client (so a ZooKeeper session) of its own, so that a server's entries live and die with it.
 * Thread-safe.
 */
final class ZooKeeperRegistry implements RegistryBackend {
  private static final Logger log = LoggerFactory.getLogger(ZooKeeperRegistry.class);

  private final ZooKeeperSettings settings;
  private final CountDownLatch loaded = new CountDownLatch(1);
  private final Set<ZooKeeperRegistration> registrations = ConcurrentHashMap.newKeySet();
  private CuratorFramework client;
  private CuratorCache cache;
  private boolean closed;

  ZooKeeperRegistry(ZooKeeperSettings settings) {
    this.settings = settings;
  }

  /** The cache, started on first use and loaded within the timeout. */
  private CuratorCache loadedCache() {
    CuratorCache c;
    synchronized (this) {
      if (closed) {
        throw new DiscoveryException("the registry back end for " + settings + " is closed");
      }
      if (cache == null) {
        client = settings.newClient();
        client.start();
        cache =
            CuratorCache.builder(client, settings.basePath())
                .withExceptionHandler(this::cacheFailed)
                .build();
        cache
            .listenable()
            .addListener(CuratorCacheListener.builder().forInitialized(loaded::countDown).build());
        cache.start();
        log.debug("watching {}", settings);
      }
      c = cache;
    }
    try {
      if (!loaded.await(settings.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
        throw new DiscoveryException(
            "ZooKeeper at "
                + settings
                + " did not answer within "
                + settings.timeout().toMillis()
                + " ms");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DiscoveryException("interrupted while waiting for ZooKeeper at " + settings, e);
    }
    return c;
  }

  @Override
  public List<Endpoint> discover(String name) {
    String alias = name.toUpperCase(Locale.ROOT);
    if (!isNodeName(alias)) {
      return List.of();
    }
    String namePath = ZKPaths.makePath(settings.basePath(), alias);
    List<ChildData> nodes = new ArrayList<>();
    loadedCache().stream().filter(d -> parentOf(d.getPath()).equals(namePath)).forEach(nodes::add);
    if (nodes.isEmpty()) {
      nodes.addAll(read(namePath));
    }
    // Oldest registration first, as RPyC's registry answers least recently refreshed first.
    nodes.sort(Comparator.comparingLong(d -> d.getStat() == null ? 0 : d.getStat().getCzxid()));
    List<Endpoint> endpoints = new ArrayList<>();
    for (ChildData node : nodes) {
      Endpoint endpoint = endpoint(node);
      if (endpoint != null) {
        endpoints.add(endpoint);
      }
    }
    return List.copyOf(endpoints);
  }

  /**
   * The children of {@code namePath} as the ensemble has them, for a name the cache has no server
   * for; none if the ensemble is unreachable or does not answer within the timeout, as the cache.
   */
  private List<ChildData> read(String namePath) {
    CuratorFramework f;
    synchronized (this) {
      f = client;
    }
    if (!f.getZookeeperClient().isConnected()) {
      return List.of();
    }
    CompletableFuture<List<ChildData>> result = new CompletableFuture<>();
    try {
      f.getChildren()
          .inBackground(
              (c, children) -> {
                if (children.getResultCode() != KeeperException.Code.OK.intValue()) {
                  result.complete(List.of()); // NONODE: no server; else as the cache says
                  return;
                }
                List<String> ids = children.getChildren();
                ChildData[] found = new ChildData[ids.size()];
                AtomicInteger left = new AtomicInteger(ids.size());
                if (ids.isEmpty()) {
                  result.complete(List.of());
                }
                for (int i = 0; i < ids.size(); i++) {
                  int k = i;
                  try {
                    c.getData()
                        .inBackground(
                            (c2, data) -> {
                              if (data.getResultCode() == KeeperException.Code.OK.intValue()) {
                                found[k] =
                                    new ChildData(data.getPath(), data.getStat(), data.getData());
                              }
                              if (left.decrementAndGet() == 0) {
                                result.complete(
                                    Arrays.stream(found).filter(Objects::nonNull).toList());
                              }
                            })
                        .forPath(ZKPaths.makePath(namePath, ids.get(i)));
                  } catch (Exception e) {
                    // e.g. closing meanwhile: answer now (as the cache would) rather than time out
                    result.completeExceptionally(e);
                    return;
                  }
                }
              })
          .forPath(namePath);
      return result.get(settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DiscoveryException("interrupted while waiting for ZooKeeper at " + settings, e);
    } catch (TimeoutException e) {
      log.debug("no answer from {} about {} in time", settings, namePath);
      return List.of();
    } catch (Exception e) {
      log.debug("cannot read {} from {}", namePath, settings, e);
      return List.of();
    }
  }

  @Override
  public List<String> listServices() {
    String base = settings.basePath();
    Set<String> names = new TreeSet<>();
    loadedCache().stream()
        .filter(d -> parentOf(parentOf(d.getPath())).equals(base) && endpoint(d) != null)
        .forEach(d -> names.add(ZKPaths.getNodeFromPath(parentOf(d.getPath()))));
    return List.copyOf(names);
  }

  @Override
  public Registration register(RegistrationRequest request) {
    for (String alias : request.aliases()) {
      if (!isNodeName(alias)) {
        throw new IllegalArgumentException("not usable as a ZooKeeper node name: " + alias);
      }
    }
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("the registry back end for " + settings + " is closed");
      }
    }
    ZooKeeperRegistration registration =
        new ZooKeeperRegistration(settings, request, registrations::remove);
    registrations.add(registration);
    return registration;
  }

  @Override
  public void close() {
    CuratorCache c;
    CuratorFramework f;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      c = cache;
      f = client;
    }
    for (ZooKeeperRegistration r : List.copyOf(registrations)) {
      r.close();
    }
    if (c != null) {
      c.close();
    }
    if (f != null) {
      f.close();
    }
  }

  /** A read of the cache's failed: when closing, reads that were waiting for a connection do. */
  private void cacheFailed(Exception e) {
    boolean closing;
    synchronized (this) {
      closing = closed;
    }
    if (closing) {
      log.debug("watching {}: {}", settings, e.toString());
    } else {
      log.warn("watching {} failed", settings, e);
    }
  }

  /** The discovery client, {@code null} before the first lookup; for tests. */
  synchronized CuratorFramework discoveryClient() {
    return client;
  }

  private static Endpoint endpoint(ChildData node) {
    try {
      return ServiceInstanceJson.read(node.getData());
    } catch (IllegalArgumentException e) {
      log.debug("ignoring {}: {}", node.getPath(), e.getMessage());
      return null;
    }
  }

  private static String parentOf(String path) {
    int slash = path.lastIndexOf('/');
    return slash <= 0 ? "/" : path.substring(0, slash);
  }

  /** Whether {@code name} is one path component: ZooKeeper refuses '/', '.', '..' and more. */
  static boolean isNodeName(String name) {
    if (name.isEmpty() || name.indexOf('/') >= 0 || name.equals(".") || name.equals("..")) {
      return false;
    }
    try {
      PathUtils.validatePath("/" + name);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  @Override
  public String toString() {
    return settings.toString();
  }
}
