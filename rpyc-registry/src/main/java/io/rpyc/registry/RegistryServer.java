package io.rpyc.registry;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.rpyc.RpycException;
import io.rpyc.internal.registry.RegistryMessages;
import io.rpyc.internal.transport.Transport;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RPyC's registry server ({@code rpyc_registry}), wire-compatible with it: servers register their
 * service aliases, clients ask which servers offer a name. Over UDP (the default, answering
 * broadcasts) or TCP, on port 18811. Each entry records the address the registration came
 * <em>from</em>, and is forgotten when not refreshed within the pruning timeout (240 s; servers
 * refresh every 60 s). Listing all names is off unless enabled, as in RPyC.
 *
 * <pre>{@code
 * try (RegistryServer registry = RegistryServer.builder()
 *     .mode(RegistryServer.Mode.TCP)
 *     .port(18811)
 *     .build()
 *     .start()) {
 *   registry.awaitClosed();
 * }
 * }</pre>
 *
 * <p>Requests are answered on one I/O thread; malformed ones are dropped (UDP) or their connection
 * closed (TCP), and never stop the server. It binds to all interfaces by default, because it must
 * hear broadcasts; anyone who can reach it can register addresses, so on a single machine bind it
 * to {@code 127.0.0.1}. Thread-safe.
 */
public final class RegistryServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RegistryServer.class);

  /** The transport the registry listens on. */
  public enum Mode {
    /** One datagram each way; answers broadcasts (RPyC's default). */
    UDP,
    /** One request per connection; crosses routers that drop broadcasts. */
    TCP;

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final Mode mode;
  private final String host;
  private final int requestedPort;
  private final Duration pruningTimeout;
  private final boolean allowListing;
  private final Duration requestTimeout;
  private final RegistryTable table;
  private final RegistryCommands commands;
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final CountDownLatch closedLatch = new CountDownLatch(1);
  private EventLoopGroup group;
  private Channel channel;

  private RegistryServer(Builder b) {
    this.mode = b.mode;
    this.host = b.host;
    this.requestedPort = b.port;
    this.pruningTimeout = b.pruningTimeout;
    this.allowListing = b.allowListing;
    this.requestTimeout = b.requestTimeout;
    this.table = new RegistryTable(pruningTimeout.toNanos(), System::nanoTime, b.maxEntries);
    this.commands = new RegistryCommands(table, allowListing);
  }

  /** A new builder: UDP on {@code 0.0.0.0:18811}, pruning after 240 s, listing disabled. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Binds and starts answering.
   *
   * @return this registry
   * @throws RpycException if the address cannot be bound
   */
  public RegistryServer start() {
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException("already started");
    }
    group = Transport.newEventLoopGroup(1, "rpyc-registry-" + mode);
    try {
      channel = (mode == Mode.UDP ? bindUdp() : bindTcp()).syncUninterruptibly().channel();
    } catch (RuntimeException e) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
      throw new RpycException(
          "cannot listen on " + mode + " " + host + ":" + requestedPort + ": " + e.getMessage(), e);
    }
    // RPyC prunes a name only when it is queried; sweeping too keeps unqueried names from piling
    // up. Often enough to bound memory, rarely enough to cost nothing.
    long sweep = Math.max(10, Math.min(pruningTimeout.toMillis(), 60_000));
    channel.eventLoop().scheduleAtFixedRate(table::prune, sweep, sweep, TimeUnit.MILLISECONDS);
    log.info(
        "registry listening on {} {} (pruning after {} s, listing {})",
        mode,
        address(),
        pruningTimeout.toMillis() / 1000.0,
        allowListing ? "enabled" : "disabled");
    return this;
  }

  private io.netty.channel.ChannelFuture bindUdp() {
    Class<? extends DatagramChannel> type =
        Transport.usesEpoll() ? EpollDatagramChannel.class : NioDatagramChannel.class;
    return new Bootstrap()
        .group(group)
        .channel(type)
        // One byte more than RPyC reads, so that oversized datagrams can be told apart.
        .option(
            ChannelOption.RCVBUF_ALLOCATOR,
            new FixedRecvByteBufAllocator(RegistryMessages.MAX_DGRAM_SIZE + 1))
        .handler(new UdpRequestHandler(commands))
        .bind(host, requestedPort);
  }

  private io.netty.channel.ChannelFuture bindTcp() {
    return new ServerBootstrap()
        .group(group)
        .channel(Transport.serverChannelType())
        .option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(
            new ChannelInitializer<Channel>() {
              @Override
              protected void initChannel(Channel ch) {
                ch.pipeline()
                    .addLast(
                        new ReadTimeoutHandler(requestTimeout.toMillis(), TimeUnit.MILLISECONDS))
                    .addLast(new TcpRequestHandler(commands));
              }
            })
        .bind(host, requestedPort);
  }

  /** The transport. */
  public Mode mode() {
    return mode;
  }

  /** The address listened on (the actual port when bound to port 0). */
  public InetSocketAddress address() {
    if (channel == null) {
      throw new IllegalStateException("not started");
    }
    return (InetSocketAddress) channel.localAddress();
  }

  /** The port listened on. */
  public int port() {
    return address().getPort();
  }

  /** How long an entry lives without a refresh. */
  public Duration pruningTimeout() {
    return pruningTimeout;
  }

  /** Whether LIST is answered. */
  public boolean allowsListing() {
    return allowListing;
  }

  /** Blocks until the registry is closed. */
  public void awaitClosed() throws InterruptedException {
    closedLatch.await();
  }

  /** Stops answering and releases the socket and thread. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (channel != null) {
      channel.close().syncUninterruptibly();
    }
    if (group != null) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
    log.info("registry on {} {} closed", mode, channel == null ? host : channel.localAddress());
    closedLatch.countDown();
  }

  /** Builds {@link RegistryServer}s. Not thread-safe. */
  public static final class Builder {
    private Mode mode = Mode.UDP;
    private String host = "0.0.0.0";
    private int port = io.rpyc.Rpyc.REGISTRY_PORT;
    private Duration pruningTimeout = RegistryMessages.DEFAULT_PRUNING_TIMEOUT;
    private boolean allowListing;
    private Duration requestTimeout = Duration.ofSeconds(3);
    private int maxEntries = 100_000;

    private Builder() {}

    /** UDP (the default) or TCP. */
    public Builder mode(Mode mode) {
      this.mode = Objects.requireNonNull(mode, "mode");
      return this;
    }

    /**
     * The address to bind; default {@code 0.0.0.0} (all interfaces, as RPyC: broadcasts reach only
     * sockets bound to the wildcard address).
     */
    public Builder host(String host) {
      this.host = Objects.requireNonNull(host, "host");
      return this;
    }

    /** The port; default 18811; 0 picks a free one, see {@link RegistryServer#port()}. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port out of range: " + port);
      }
      this.port = port;
      return this;
    }

    /**
     * How long an entry lives without a refresh; default 240 s (RPyC's {@code -t}). Servers refresh
     * every 60 s, so keep it well above that in production.
     */
    public Builder pruningTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isZero() || timeout.isNegative()) {
        throw new IllegalArgumentException("pruningTimeout must be positive, got " + timeout);
      }
      this.pruningTimeout = timeout;
      return this;
    }

    /** Whether LIST is answered with the names; default {@code false} (it is answered None). */
    public Builder allowListing(boolean allow) {
      this.allowListing = allow;
      return this;
    }

    /** TCP only: how long a connection may take to send its request; default 3 s (as RPyC). */
    public Builder requestTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isZero() || timeout.isNegative()) {
        throw new IllegalArgumentException("requestTimeout must be positive, got " + timeout);
      }
      this.requestTimeout = timeout;
      return this;
    }

    /**
     * The most (name, server) entries kept, default 100 000: registrations beyond it get no reply,
     * so that a flood of registrations cannot exhaust memory.
     */
    public Builder maxEntries(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("maxEntries must be positive, got " + max);
      }
      this.maxEntries = max;
      return this;
    }

    /** Builds the (unstarted) registry. */
    public RegistryServer build() {
      return new RegistryServer(this);
    }
  }
}
