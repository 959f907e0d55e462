package io.rpyc.internal.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalServerChannel;
import io.netty.util.ReferenceCountUtil;
import io.rpyc.RpycConfig;
import io.rpyc.RpycException;
import io.rpyc.Service;
import io.rpyc.internal.protocol.ProtocolConnection;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connections over a pair of byte streams instead of a socket: a child process's pipes, or this
 * process's own stdin and stdout (RPyC's {@code connect_pipes} and {@code rpyc_classic --mode
 * stdio}).
 *
 * <p>The connection runs on one end of an in-JVM Netty {@link LocalChannel} pair, with exactly the
 * pipeline and {@link ProtocolConnection} a socket gets; the other end is a bridge that copies the
 * channel's bytes to the output stream, and a reader thread ({@code rpyc-pipe-reader}) copies the
 * input stream into the channel. Each pipe connection has its own single I/O thread, so a blocking
 * write to a full pipe stalls only that connection. End of input closes the connection; closing the
 * connection closes the output stream (so the peer sees end of input). <b>Not API.</b>
 */
public final class PipeTransport {
  private static final Logger log = LoggerFactory.getLogger(PipeTransport.class);
  private static final AtomicInteger IDS = new AtomicInteger();
  private static final int READ_BUFFER = 64 * 1024;

  private PipeTransport() {}

  /**
   * Connecting side: opens a connection over the streams, negotiates the extension and runs {@code
   * service}'s {@code onConnect}, as {@link Transport#connect} does for a socket.
   */
  public static ProtocolConnection connect(
      InputStream in, OutputStream out, Service service, RpycConfig config) {
    Objects.requireNonNull(service, "service");
    if (Transport.isIoThread()) {
      throw new IllegalStateException("cannot connect from a Netty I/O thread");
    }
    ProtocolConnection connection =
        open(
            in,
            out,
            ch -> new ProtocolConnection(ch, config, service, Transport.clientExecutor()),
            config);
    try {
      connection.startAsInitiator();
    } catch (RuntimeException e) {
      connection.close();
      throw e;
    }
    return connection;
  }

  /**
   * Accepting side: serves a service created by {@code factory} over the streams; requests run on
   * {@code executor}. Returns at once; {@link ProtocolConnection#closeFuture()} tells when the peer
   * went away.
   */
  public static ProtocolConnection serve(
      InputStream in,
      OutputStream out,
      Supplier<? extends Service> factory,
      RpycConfig config,
      Executor executor) {
    Objects.requireNonNull(factory, "factory");
    ProtocolConnection connection =
        open(in, out, ch -> new ProtocolConnection(ch, config, null, executor), config);
    connection.startAsAcceptor(factory);
    return connection;
  }

  private static ProtocolConnection open(
      InputStream in,
      OutputStream out,
      Function<Channel, ProtocolConnection> factory,
      RpycConfig config) {
    Objects.requireNonNull(in, "in");
    Objects.requireNonNull(out, "out");
    int id = IDS.incrementAndGet();
    EventLoopGroup group = Transport.newEventLoopGroup(1, "rpyc-pipe-io-" + id);
    LocalAddress address = new LocalAddress("rpyc-pipe-" + id);
    AtomicReference<ProtocolConnection> ref = new AtomicReference<>();
    Channel listener = null;
    try {
      listener =
          new ServerBootstrap()
              .group(group)
              .channel(LocalServerChannel.class)
              .childHandler(new Bridge(in, out, id))
              .bind(address)
              .syncUninterruptibly()
              .channel();
      Channel channel =
          new Bootstrap()
              .group(group)
              .channel(LocalChannel.class)
              .handler(
                  new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                      ProtocolConnection c = factory.apply(ch);
                      ref.set(c);
                      Transport.initPipeline(ch, c, config);
                    }
                  })
              .connect(address)
              .syncUninterruptibly()
              .channel();
      channel.closeFuture().addListener(f -> group.shutdownGracefully(0, 1, TimeUnit.SECONDS));
    } catch (RuntimeException e) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      throw new RpycException("cannot set up a pipe connection: " + e.getMessage(), e);
    } finally {
      if (listener != null) {
        listener.close(); // one connection per pipe pair: stop listening at once
      }
    }
    return ref.get();
  }

  /** The channel end facing the streams: bytes in from the reader thread, bytes out to the pipe. */
  private static final class Bridge extends ChannelInboundHandlerAdapter {
    private final InputStream in;
    private final OutputStream out;
    private final int id;

    Bridge(InputStream in, OutputStream out, int id) {
      this.in = in;
      this.out = out;
      this.id = id;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      Channel ch = ctx.channel();
      Thread reader = new Thread(() -> pump(ch), "rpyc-pipe-reader-" + id);
      reader.setDaemon(true);
      reader.start();
      ctx.fireChannelActive();
    }

    private void pump(Channel ch) {
      byte[] buffer = new byte[READ_BUFFER];
      try {
        int n;
        while (ch.isActive() && (n = in.read(buffer)) >= 0) {
          if (n > 0) {
            // waiting for each write bounds what a fast writer can queue ahead of the decoder
            ch.writeAndFlush(Unpooled.copiedBuffer(buffer, 0, n)).awaitUninterruptibly();
          }
        }
        log.debug("pipe {}: end of input", id);
      } catch (IOException e) {
        log.debug("pipe {}: reading failed: {}", id, e.toString());
      } finally {
        ch.close();
      }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf buf = (ByteBuf) msg;
      try {
        buf.readBytes(out, buf.readableBytes());
        out.flush();
      } catch (IOException e) {
        log.debug("pipe {}: writing failed: {}", id, e.toString());
        ctx.close();
      } finally {
        ReferenceCountUtil.release(buf);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      try {
        out.close();
      } catch (IOException e) {
        log.debug("pipe {}: closing the output failed: {}", id, e.toString());
      }
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      log.debug("pipe {}: {}", id, cause.toString());
      ctx.close();
    }
  }
}
