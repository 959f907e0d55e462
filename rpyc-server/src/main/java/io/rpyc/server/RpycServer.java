package io.rpyc.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import io.rpyc.Authenticator;
import io.rpyc.Connection;
import io.rpyc.Registrar;
import io.rpyc.RpycConfig;
import io.rpyc.RpycException;
import io.rpyc.Service;
import io.rpyc.Tls;
import io.rpyc.internal.protocol.ProtocolConnection;
import io.rpyc.internal.protocol.RefusingHandler;
import io.rpyc.internal.registry.Registration;
import io.rpyc.internal.registry.RegistrationRequest;
import io.rpyc.internal.registry.RegistryBackend;
import io.rpyc.internal.registry.RegistryBackends;
import io.rpyc.internal.registry.RegistryMessages;
import io.rpyc.internal.transport.AuthStage;
import io.rpyc.internal.transport.TlsContexts;
import io.rpyc.internal.transport.Transport;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a {@link Service} over TCP: RPyC's {@code ThreadedServer}, on Netty.
 *
 * <pre>{@code
 * try (RpycServer server = RpycServer.builder()
 *     .service(CalcService::new)          // one instance per connection
 *     .port(18861)
 *     .build()
 *     .start()) {
 *   server.awaitClosed();
 * }
 * }</pre>
 *
 * <p>Requests run on the executor (by default a cached pool of daemon threads, so nested callbacks
 * never starve), never on the I/O threads — unless {@link Builder#directExecutor()} asks for them
 * to run right on the I/O thread that read them, the fastest way for a service whose methods never
 * block. {@link #close()} stops accepting, lets running calls finish within a grace period, then
 * closes every connection. Thread-safe.
 *
 * <p>With {@link Builder#register(Registrar)} the server registers its service's aliases with a
 * registry once it listens, so that clients find it with {@code Rpyc.connectByService("CALC")}; it
 * refreshes the registration every 60 s and unregisters first thing on {@link #close()}:
 *
 * <pre>{@code
 * RpycServer.builder()
 *     .service(CalcService::new)
 *     .register(Registrar.tcp("registry.example"))   // or Registrar.broadcast(), a zk:// URI
 *     .build()
 *     .start();
 * }</pre>
 */
public final class RpycServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RpycServer.class);

  /** How long a connection beyond the cap may take to send the request its refusal answers. */
  static final Duration REFUSAL_TIMEOUT = Duration.ofSeconds(5);

  private final Supplier<? extends Service> serviceFactory;
  private final Class<?> serviceType;
  private final String host;
  private final int requestedPort;
  private final RpycConfig config;
  private final Executor executor;
  private final ExecutorService blockingExecutor; // authentication: it waits for the peer
  private final boolean ownsExecutor;
  private final int maxConnections;
  private final int ioThreads;
  private final Duration shutdownGrace;
  private final Registrar registrar;
  private final List<String> registryAliases;
  private final String advertisedHost;
  private final Duration reregisterInterval;
  private final SslContext tls;
  private final Authenticator authenticator;
  private final Duration authTimeout;
  private volatile Registration registration;
  private final Set<ProtocolConnection> connections = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final java.util.concurrent.CountDownLatch closedLatch =
      new java.util.concurrent.CountDownLatch(1);
  private EventLoopGroup bossGroup;
  private EventLoopGroup workerGroup;
  private Channel serverChannel;

  private RpycServer(Builder b) {
    this.serviceFactory = b.serviceFactory;
    this.serviceType = b.serviceType;
    this.host = b.host;
    this.requestedPort = b.port;
    this.config = b.config;
    this.ownsExecutor = b.executor == null;
    this.blockingExecutor =
        b.executor != null
            ? b.executor
            : Executors.newCachedThreadPool(Transport.daemonThreads("rpyc-worker"));
    this.executor = b.directExecutor ? Runnable::run : blockingExecutor;
    this.maxConnections = b.maxConnections;
    this.ioThreads = b.ioThreads;
    this.shutdownGrace = b.shutdownGrace;
    this.registrar = b.registrar;
    this.registryAliases = b.registryAliases;
    this.advertisedHost = b.advertisedHost;
    this.reregisterInterval = b.reregisterInterval;
    this.tls = b.tls == null ? null : TlsContexts.server(b.tls);
    this.authenticator = b.authenticator;
    this.authTimeout = b.authTimeout;
  }

  /** A new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Binds and starts accepting connections.
   *
   * @return this server
   * @throws RpycException if the address cannot be bound
   */
  public RpycServer start() {
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException("already started");
    }
    // Before binding: a registrar nobody supports (zk:// without rpyc-registry) is a setup error.
    RegistryBackend registry = registrar == null ? null : RegistryBackends.open(registrar);
    List<String> aliases = registry == null ? null : aliasesToRegister();
    bossGroup = Transport.newEventLoopGroup(1, "rpyc-accept");
    workerGroup = Transport.newEventLoopGroup(ioThreads, "rpyc-server-io", config.spinWait());
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(bossGroup, workerGroup)
            .channel(Transport.serverChannelType())
            .option(ChannelOption.SO_REUSEADDR, true)
            .option(ChannelOption.SO_BACKLOG, 1024)
            .childOption(ChannelOption.TCP_NODELAY, config.tcpNoDelay())
            .childHandler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    accept(ch);
                  }
                });
    try {
      serverChannel = bootstrap.bind(host, requestedPort).syncUninterruptibly().channel();
    } catch (RuntimeException e) {
      shutdownGroups();
      throw new RpycException(
          "cannot listen on " + host + ":" + requestedPort + ": " + e.getMessage(), e);
    }
    log.info(
        "serving {} on {}", serviceType == null ? "a service" : serviceType.getName(), address());
    if (registry != null) {
      try {
        registration =
            registry.register(
                new RegistrationRequest(aliases, host, port(), advertisedHost, reregisterInterval));
      } catch (RuntimeException e) {
        close(Duration.ZERO);
        throw new RpycException("cannot register with " + registrar + ": " + e.getMessage(), e);
      }
      if (closed.get()) {
        registration.close(); // closed while we registered: close() may have missed it
      }
    }
    return this;
  }

  /** The aliases to register: the builder's, else the service class's. */
  private List<String> aliasesToRegister() {
    if (registryAliases != null) {
      return registryAliases;
    }
    Class<?> type = serviceType != null ? serviceType : serviceFactory.get().getClass();
    return Service.aliasesOf(type.asSubclass(Service.class));
  }

  private void accept(Channel ch) {
    if (closed.get()) {
      ch.close();
      return;
    }
    ProtocolConnection connection = admit(ch);
    if (connection == null) {
      log.warn(
          "refusing {}: already {} connections (the maximum)", ch.remoteAddress(), maxConnections);
      refuse(
          ch,
          "the server refuses this connection: it already has "
              + maxConnections
              + (maxConnections == 1 ? " connection" : " connections")
              + " (its maximum)");
      return;
    }
    connection.closeFuture().whenComplete((v, e) -> connections.remove(connection));
    ch.closeFuture().addListener(f -> connection.close()); // closed before the protocol started
    if (tls != null) {
      ch.pipeline().addLast("tls", tls.newHandler(ch.alloc()));
    }
    if (authenticator == null) {
      Transport.initPipeline(ch, connection, config);
      log.debug("accepted {}", connection);
      connection.startAsAcceptor(serviceFactory);
      return;
    }
    AuthStage stage = Transport.addAuthStage(ch, true, authTimeout);
    Future<?> handshake =
        tls != null
            ? ch.pipeline().get(SslHandler.class).handshakeFuture()
            : ch.eventLoop().newSucceededFuture(null);
    handshake.addListener(
        done -> {
          if (!done.isSuccess()) {
            log.debug(
                "TLS handshake with {} failed: {}", ch.remoteAddress(), done.cause().toString());
            ch.close();
            return;
          }
          try {
            blockingExecutor.execute(() -> authenticate(ch, connection, stage));
          } catch (RejectedExecutionException e) {
            ch.close();
          }
        });
  }

  /**
   * The connection of {@code ch}, counted, or {@code null} at the cap. Channels are accepted on
   * several I/O threads at once: checking and counting is one step, or two could both take the last
   * slot.
   */
  private ProtocolConnection admit(Channel ch) {
    synchronized (connections) {
      if (maxConnections > 0 && connections.size() >= maxConnections) {
        return null;
      }
      ProtocolConnection connection = new ProtocolConnection(ch, config, null, executor);
      connections.add(connection);
      return connection;
    }
  }

  /**
   * Tells the peer why it is turned away, in answer to its first request, then closes; never
   * creates a service, and never holds a thread. With an authenticator the peer expects to
   * authenticate first, and running authenticators for connections beyond the cap would spend a
   * worker on each: those are just closed.
   */
  private void refuse(Channel ch, String reason) {
    if (authenticator != null) {
      ch.close();
      return;
    }
    if (tls != null) {
      ch.pipeline().addLast("tls", tls.newHandler(ch.alloc()));
    }
    RefusingHandler.install(ch, reason, config, REFUSAL_TIMEOUT);
  }

  /** Runs the authenticator (worker thread); starts the protocol only if it accepts the peer. */
  private void authenticate(Channel ch, ProtocolConnection connection, AuthStage stage) {
    Object credentials;
    try {
      credentials = authenticator.authenticate(stage);
    } catch (Exception e) {
      log.warn("refused {}: {}", ch.remoteAddress(), AuthStage.failure(e).getMessage());
      stage.discard();
      ch.close();
      return;
    }
    connection.setCredentials(credentials);
    ch.eventLoop()
        .execute(
            () -> {
              if (!ch.isActive()) {
                stage.discard();
                return;
              }
              Transport.finishAuthentication(ch, connection, config, stage);
              log.debug("authenticated {}", connection);
              connection.startAsAcceptor(serviceFactory);
            });
  }

  /** The address the server listens on (the actual port when bound to port 0). */
  public InetSocketAddress address() {
    if (serverChannel == null) {
      throw new IllegalStateException("not started");
    }
    return (InetSocketAddress) serverChannel.localAddress();
  }

  /** The port the server listens on. */
  public int port() {
    return address().getPort();
  }

  /** The connections open right now. */
  public List<Connection> connections() {
    return List.copyOf(connections);
  }

  /** Blocks until the server is closed. */
  public void awaitClosed() throws InterruptedException {
    closedLatch.await();
  }

  /** Closes gracefully with the builder's grace period (default 10 s). */
  @Override
  public void close() {
    close(shutdownGrace);
  }

  /**
   * Stops accepting connections, waits up to {@code grace} for the calls being served to finish,
   * then closes every connection and releases the threads. Idempotent.
   */
  public void close(Duration grace) {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    Registration r = registration;
    if (r != null) {
      // First, as RPyC does: no client should be sent here once we stop accepting.
      try {
        r.close();
      } catch (RuntimeException e) {
        log.warn("unregistering failed", e);
      }
    }
    if (serverChannel != null) {
      serverChannel.close().syncUninterruptibly();
    }
    long deadline = System.nanoTime() + grace.toNanos();
    while (System.nanoTime() < deadline && busy()) {
      try {
        TimeUnit.MILLISECONDS.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    for (ProtocolConnection c : connections) {
      c.close();
    }
    shutdownGroups();
    if (ownsExecutor) {
      blockingExecutor.shutdown();
      try {
        blockingExecutor.awaitTermination(Math.max(1, grace.toMillis()), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    log.info("server on {} closed", serverChannel == null ? host : serverChannel.localAddress());
    closedLatch.countDown();
  }

  private boolean busy() {
    for (ProtocolConnection c : connections) {
      if (c.inFlight() > 0) {
        return true;
      }
    }
    return false;
  }

  private void shutdownGroups() {
    if (bossGroup != null) {
      bossGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
    if (workerGroup != null) {
      workerGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  /** Builds {@link RpycServer}s. Not thread-safe. */
  public static final class Builder {
    private Supplier<? extends Service> serviceFactory;
    private Class<?> serviceType;
    private String host = "127.0.0.1";
    private int port;
    private RpycConfig config = RpycConfig.defaults();
    private ExecutorService executor;
    private boolean directExecutor;
    private int maxConnections;
    private int ioThreads;
    private Duration shutdownGrace = Duration.ofSeconds(10);
    private Registrar registrar;
    private List<String> registryAliases;
    private String advertisedHost;
    private Duration reregisterInterval = RegistryMessages.REREGISTER_INTERVAL;
    private Tls tls;
    private Authenticator authenticator;
    private Duration authTimeout = Duration.ofSeconds(10);

    private Builder() {}

    /** Serves a new instance from {@code factory} to each connection. */
    public Builder service(Supplier<? extends Service> factory) {
      this.serviceFactory = Objects.requireNonNull(factory, "factory");
      return this;
    }

    /** Serves a new instance of {@code type} (public no-argument constructor) per connection. */
    public Builder service(Class<? extends Service> type) {
      Constructor<? extends Service> ctor;
      try {
        ctor = type.getDeclaredConstructor();
        ctor.setAccessible(true);
      } catch (NoSuchMethodException | RuntimeException e) {
        throw new IllegalArgumentException(
            type.getName() + " needs a no-argument constructor to be served per connection", e);
      }
      this.serviceType = type;
      this.serviceFactory =
          () -> {
            try {
              return ctor.newInstance();
            } catch (InvocationTargetException e) {
              throw new RpycException("creating " + type.getName() + " failed", e.getCause());
            } catch (ReflectiveOperationException e) {
              throw new RpycException("creating " + type.getName() + " failed", e);
            }
          };
      return this;
    }

    /** Serves one shared instance to every connection; it must be thread-safe. */
    public Builder sharedService(Service service) {
      Objects.requireNonNull(service, "service");
      this.serviceType = service.getClass();
      this.serviceFactory = () -> service;
      return this;
    }

    /** The address to bind; default {@code 127.0.0.1} (loopback only). */
    public Builder host(String host) {
      this.host = Objects.requireNonNull(host, "host");
      return this;
    }

    /** The port; 0 (the default) picks a free one, see {@link RpycServer#port()}. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port out of range: " + port);
      }
      this.port = port;
      return this;
    }

    /** The configuration of every connection. */
    public Builder config(RpycConfig config) {
      this.config = Objects.requireNonNull(config, "config");
      return this;
    }

    /**
     * The executor that runs requests; the caller keeps ownership. It should not bound its threads
     * tightly: a request waiting on a nested callback holds its thread.
     */
    public Builder executor(ExecutorService executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      this.directExecutor = false;
      return this;
    }

    /**
     * Serves each request right on the I/O thread that read it, as gRPC's {@code directExecutor()}:
     * no hand-off to a worker and back, so calls are faster (measured in {@code
     * docs/performance.md}: 1.3–1.5× the calls/s, 0.65–0.75× the latency) — for services whose
     * methods are quick and never block. A method that sleeps, waits for a lock or does blocking
     * I/O holds up every connection of that I/O thread meanwhile; a synchronous call back to the
     * client (a callback, a remote object's method) cannot work there and fails with an {@code
     * IllegalStateException} ("a blocking remote call on a Netty I/O thread would stall every
     * connection it serves"), which the client receives as the call's exception. {@code
     * onConnect}/{@code onDisconnect} run there too. Authentication still runs on worker threads.
     * See {@code docs/threading.md}.
     */
    public Builder directExecutor() {
      this.directExecutor = true;
      this.executor = null;
      return this;
    }

    /**
     * Refuse connections beyond this many open at once; 0 (the default) for no limit. A refused
     * peer's first request is answered with {@code ConnectionRefusedError("the server refuses this
     * connection: it already has N connections (its maximum)")} and the connection closed (at once
     * with an {@linkplain #authenticator authenticator}); a Java client's {@code Rpyc.connect}
     * fails with a {@link io.rpyc.ConnectionClosedException} carrying that message.
     */
    public Builder maxConnections(int max) {
      if (max < 0) {
        throw new IllegalArgumentException("maxConnections must be >= 0");
      }
      this.maxConnections = max;
      return this;
    }

    /** Number of I/O threads; 0 (the default) for Netty's default (2 × cores). */
    public Builder ioThreads(int threads) {
      this.ioThreads = threads;
      return this;
    }

    /** How long {@link RpycServer#close()} lets running calls finish; default 10 s. */
    public Builder shutdownGrace(Duration grace) {
      this.shutdownGrace = Objects.requireNonNull(grace, "grace");
      return this;
    }

    /**
     * Registers the server with {@code registrar} once it listens: every {@linkplain
     * #registryAliases alias} of the service, refreshed every {@linkplain #reregisterInterval 60
     * s}, unregistered when the server closes. Registration runs in the background and never fails
     * the server: a registry that is down is retried every second (RPyC's behaviour).
     *
     * <p>RPyC's registries record the address a registration comes <em>from</em>, so a server on
     * loopback (the default host) is registered as {@code 127.0.0.1}: only clients on this machine
     * can use it. Bind to a reachable address to serve others. ZooKeeper stores the {@linkplain
     * #advertisedHost advertised host} instead.
     */
    public Builder register(Registrar registrar) {
      this.registrar = Objects.requireNonNull(registrar, "registrar");
      return this;
    }

    /**
     * The names to register; default: {@link Service#aliasesOf} of the service class (with a {@link
     * #service(Supplier)} factory, of the class of one instance it makes at start).
     */
    public Builder registryAliases(String... aliases) {
      if (aliases.length == 0) {
        throw new IllegalArgumentException("no alias");
      }
      this.registryAliases = List.copyOf(Arrays.asList(aliases));
      return this;
    }

    /**
     * The host clients should connect to, for registries that store an address (ZooKeeper);
     * default: the bound host, or for {@code 0.0.0.0} this machine's first non-loopback address.
     */
    public Builder advertisedHost(String host) {
      this.advertisedHost = Objects.requireNonNull(host, "host");
      return this;
    }

    /** How often UDP/TCP registrations are refreshed; default 60 s, as RPyC. Must be positive. */
    public Builder reregisterInterval(Duration interval) {
      Objects.requireNonNull(interval, "interval");
      if (interval.isZero() || interval.isNegative()) {
        throw new IllegalArgumentException("reregisterInterval must be positive, got " + interval);
      }
      this.reregisterInterval = interval;
      return this;
    }

    /**
     * Serve over TLS: {@code Tls.server(cert, key)}, with {@code .requireClientCertificates(ca)}
     * for mutual TLS. Default: plain TCP.
     */
    public Builder tls(Tls tls) {
      if (tls != null && !tls.isServer()) {
        throw new IllegalArgumentException(
            "a server needs server TLS settings: Tls.server(cert, key)");
      }
      this.tls = tls;
      return this;
    }

    /**
     * Authenticate every connection (after TLS) before any service code runs; the authenticator's
     * result is the connection's {@code credentials()}. Default: none.
     */
    public Builder authenticator(Authenticator authenticator) {
      this.authenticator = authenticator;
      return this;
    }

    /** How long a peer may take to authenticate; default 10 s. */
    public Builder authTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isZero() || timeout.isNegative()) {
        throw new IllegalArgumentException("authTimeout must be positive, got " + timeout);
      }
      this.authTimeout = timeout;
      return this;
    }

    /** Builds the (unstarted) server. */
    public RpycServer build() {
      if (serviceFactory == null) {
        throw new IllegalStateException("no service: call service(...) or sharedService(...)");
      }
      return new RpycServer(this);
    }
  }
}
