package io.rpyc.internal.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.FastThreadLocalThread;
import io.netty.util.concurrent.Future;
import io.rpyc.Authenticator;
import io.rpyc.RpycConfig;
import io.rpyc.RpycException;
import io.rpyc.Service;
import io.rpyc.internal.codec.FrameDecoder;
import io.rpyc.internal.protocol.ConnectionHandler;
import io.rpyc.internal.protocol.ProtocolConnection;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Event loops, channel types and pipelines. Uses Linux epoll when Netty's native transport loads,
 * NIO otherwise.
 */
public final class Transport {
  private static final Logger log = LoggerFactory.getLogger(Transport.class);
  private static final boolean EPOLL = epollAvailable();
  private static volatile EventLoopGroup clientGroup;
  private static volatile ExecutorService clientExecutor;

  private Transport() {}

  private static boolean epollAvailable() {
    try {
      if (Boolean.getBoolean("rpyc.noEpoll")) {
        return false;
      }
      return Epoll.isAvailable();
    } catch (Throwable t) {
      return false;
    }
  }

  /** Whether the native epoll transport is in use. */
  public static boolean usesEpoll() {
    return EPOLL;
  }

  /** An I/O thread: blocking remote calls are refused on it. */
  private static final class IoThread extends FastThreadLocalThread {
    IoThread(Runnable r, String name) {
      super(r, name);
      setDaemon(true);
    }
  }

  /** Whether the current thread is one of rpyc-java's Netty I/O threads. */
  public static boolean isIoThread() {
    return Thread.currentThread() instanceof IoThread;
  }

  /** A thread factory for daemon threads named {@code prefix-N}. */
  public static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** A new event loop group of {@code threads} I/O threads (0: Netty's default count). */
  public static EventLoopGroup newEventLoopGroup(int threads, String name) {
    return newEventLoopGroup(threads, name, Duration.ZERO);
  }

  /**
   * A new event loop group of {@code threads} I/O threads (0: Netty's default count) whose loops,
   * with epoll, poll for up to {@code spinWait} before they block when recent idle spells were
   * shorter than that (see {@link SpinWait}).
   */
  public static EventLoopGroup newEventLoopGroup(int threads, String name, Duration spinWait) {
    AtomicInteger n = new AtomicInteger();
    ThreadFactory factory = r -> new IoThread(r, name + "-" + n.incrementAndGet());
    if (!EPOLL) {
      return new NioEventLoopGroup(threads, factory);
    }
    return spinWait.isZero()
        ? new EpollEventLoopGroup(threads, factory)
        : new EpollEventLoopGroup(
            threads, factory, SpinningSelectStrategy.factory(spinWait.toNanos()));
  }

  public static Class<? extends SocketChannel> socketChannelType() {
    return EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
  }

  public static Class<? extends ServerSocketChannel> serverChannelType() {
    return EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
  }

  /** The event loops shared by every client connection of this JVM (daemon threads). */
  public static EventLoopGroup clientGroup() {
    EventLoopGroup g = clientGroup;
    if (g == null) {
      synchronized (Transport.class) {
        g = clientGroup;
        if (g == null) {
          clientGroup =
              g = newEventLoopGroup(0, "rpyc-client-io", RpycConfig.defaults().spinWait());
        }
      }
    }
    return g;
  }

  /**
   * The executor that serves the peers' requests on client connections: a cached pool of daemon
   * threads, so that nested callbacks never wait for a free thread.
   */
  public static ExecutorService clientExecutor() {
    ExecutorService e = clientExecutor;
    if (e == null) {
      synchronized (Transport.class) {
        e = clientExecutor;
        if (e == null) {
          clientExecutor = e = Executors.newCachedThreadPool(daemonThreads("rpyc-client-worker"));
        }
      }
    }
    return e;
  }

  /** Installs the codec and the connection on a channel's pipeline. */
  public static void initPipeline(Channel ch, ProtocolConnection connection, RpycConfig config) {
    ch.config()
        .setWriteBufferWaterMark(
            new WriteBufferWaterMark(WriteQueue.LOW_WATER_MARK, WriteQueue.HIGH_WATER_MARK));
    ch.pipeline()
        .addLast("frames", new FrameDecoder(config.maxFrameSize(), config.maxNestingDepth()));
    Duration keepAlive = config.keepAliveInterval();
    if (keepAlive != null) {
      ch.pipeline()
          .addLast(
              "keepalive", new IdleStateHandler(keepAlive.toMillis(), 0, 0, TimeUnit.MILLISECONDS));
    }
    ch.pipeline().addLast("rpyc", new ConnectionHandler(connection));
  }

  /**
   * Puts an {@link AuthStage} where the codec will go: the peer's bytes wait there while an
   * authenticator runs. Call on the channel's event loop (e.g. from {@code initChannel}).
   */
  public static AuthStage addAuthStage(Channel ch, boolean server, Duration timeout) {
    AuthStage stage = new AuthStage(ch, server, timeout);
    ch.pipeline().addLast("auth", stage);
    return stage;
  }

  /**
   * Replaces a successful {@link AuthStage} with the codec and the connection, and feeds them what
   * the peer sent beyond the authentication. Runs on the channel's event loop.
   */
  public static void finishAuthentication(
      Channel ch, ProtocolConnection connection, RpycConfig config, AuthStage stage) {
    ByteBuf rest = stage.takeLeftover();
    ch.pipeline().remove(stage);
    initPipeline(ch, connection, config);
    if (rest == null) {
      return;
    }
    if (!rest.isReadable()) {
      rest.release();
    } else if (ch.pipeline().get("tls") != null) {
      ch.pipeline().context("tls").fireChannelRead(rest); // to the codec, past TLS
    } else {
      ch.pipeline().fireChannelRead(rest);
    }
  }

  /** Opens a client connection; returns once the extension is negotiated and onConnect ran. */
  public static ProtocolConnection connect(
      String host, int port, Service service, RpycConfig config) {
    if (isIoThread()) {
      throw new IllegalStateException("cannot connect from a Netty I/O thread");
    }
    if (config.tls() == null
        && config.authenticator() == null
        && config.clientTransport() == RpycConfig.ClientTransport.CALLER_READS) {
      return SocketWire.connect(host, port, service, config, clientExecutor());
    }
    SslContext tls = config.tls() == null ? null : TlsContexts.client(config.tls());
    Authenticator authenticator = config.authenticator();
    AtomicReference<ProtocolConnection> ref = new AtomicReference<>();
    AtomicReference<AuthStage> stageRef = new AtomicReference<>();
    // kept here: a failed handshake closes the channel, which may empty the pipeline before this
    // thread looks for the handler in it
    AtomicReference<SslHandler> sslRef = new AtomicReference<>();
    ExecutorService executor = clientExecutor();
    Bootstrap bootstrap =
        new Bootstrap()
            .group(clientGroup())
            .channel(socketChannelType())
            .option(ChannelOption.TCP_NODELAY, config.tcpNoDelay())
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.connectTimeout().toMillis())
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ProtocolConnection c = new ProtocolConnection(ch, config, service, executor);
                    ref.set(c);
                    if (tls != null) {
                      SslHandler ssl = tls.newHandler(ch.alloc(), host, port);
                      sslRef.set(ssl);
                      ch.pipeline().addLast("tls", ssl);
                    }
                    if (authenticator != null) {
                      stageRef.set(addAuthStage(ch, false, config.connectTimeout()));
                    } else {
                      initPipeline(ch, c, config);
                    }
                  }
                });
    ChannelFuture future = bootstrap.connect(host, port);
    if (!future.awaitUninterruptibly(config.connectTimeout().toMillis() + 1000)) {
      future.cancel(false);
      future.channel().close();
      throw new RpycException("timed out connecting to " + host + ":" + port);
    }
    if (!future.isSuccess()) {
      Throwable cause = future.cause();
      throw new RpycException(
          "cannot connect to " + host + ":" + port + ": " + cause.getMessage(), cause);
    }
    Channel channel = future.channel();
    ProtocolConnection connection = ref.get();
    try {
      if (tls != null) {
        awaitHandshake(sslRef.get(), host, port, config.connectTimeout());
      }
      AuthStage stage = stageRef.get();
      if (stage != null) {
        Object credentials;
        try {
          credentials = authenticator.authenticate(stage);
        } catch (Exception e) {
          stage.discard();
          throw AuthStage.failure(e);
        }
        connection.setCredentials(credentials);
        channel
            .eventLoop()
            .submit(() -> finishAuthentication(channel, connection, config, stage))
            .syncUninterruptibly();
      }
      connection.startAsInitiator();
    } catch (RuntimeException e) {
      connection.close();
      channel.close();
      throw e;
    }
    log.debug("connected {}", connection);
    return connection;
  }

  private static void awaitHandshake(SslHandler ssl, String host, int port, Duration timeout) {
    Future<Channel> handshake = ssl.handshakeFuture();
    if (!handshake.awaitUninterruptibly(timeout.toMillis())) {
      throw new RpycException("timed out in the TLS handshake with " + host + ":" + port);
    }
    if (!handshake.isSuccess()) {
      Throwable cause = handshake.cause();
      throw new RpycException(
          "the TLS handshake with " + host + ":" + port + " failed: " + cause.getMessage(), cause);
    }
  }
}
