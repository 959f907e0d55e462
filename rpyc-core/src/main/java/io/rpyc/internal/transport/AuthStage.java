package io.rpyc.internal.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.rpyc.AuthContext;
import io.rpyc.AuthenticationException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pipeline member that stands where RPyC's codec will be while an {@code Authenticator} runs:
 * it collects the peer's bytes for the authenticator's blocking {@link InputStream} (at most {@link
 * #MAX_BUFFERED} of them) and hands what is left over to the codec once authentication succeeded.
 */
public final class AuthStage extends ChannelInboundHandlerAdapter implements AuthContext {
  private static final Logger log = LoggerFactory.getLogger(AuthStage.class);

  /** Bytes a peer may send before it is authenticated. */
  public static final int MAX_BUFFERED = 64 << 10;

  private final Channel channel;
  private final boolean server;
  private final Duration timeout;
  private final Object lock = new Object();
  private ByteBuf buffered = Unpooled.buffer(); // guarded by lock
  private boolean ended; // guarded by lock

  public AuthStage(Channel channel, boolean server, Duration timeout) {
    this.channel = channel;
    this.server = server;
    this.timeout = timeout;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf in = (ByteBuf) msg;
    boolean overflow;
    synchronized (lock) {
      overflow = buffered == null || buffered.readableBytes() + in.readableBytes() > MAX_BUFFERED;
      if (!overflow) {
        buffered.writeBytes(in);
        lock.notifyAll();
      }
    }
    in.release();
    if (overflow) {
      log.warn(
          "closing {}: more than {} bytes before authentication",
          channel.remoteAddress(),
          MAX_BUFFERED);
      ctx.close();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    end();
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("closing {} during authentication: {}", channel.remoteAddress(), cause.toString());
    end();
    ctx.close();
  }

  private void end() {
    synchronized (lock) {
      ended = true;
      lock.notifyAll();
    }
  }

  /** What arrived beyond what the authenticator read; the stage is spent afterwards. */
  public ByteBuf takeLeftover() {
    synchronized (lock) {
      ByteBuf rest = buffered;
      buffered = null;
      ended = true;
      return rest;
    }
  }

  /** Releases buffered bytes when authentication failed. */
  public void discard() {
    ByteBuf rest = takeLeftover();
    if (rest != null) {
      rest.release();
    }
  }

  @Override
  public InputStream input() {
    return new InputStream() {
      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
          return 0;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
          while ((buffered == null || !buffered.isReadable()) && !ended) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
              throw new SocketTimeoutException(
                  "the peer sent nothing for " + timeout + " during authentication");
            }
            try {
              TimeUnit.NANOSECONDS.timedWait(lock, left);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              throw new IOException("interrupted during authentication", e);
            }
          }
          if (buffered == null || !buffered.isReadable()) {
            return -1;
          }
          int n = Math.min(len, buffered.readableBytes());
          buffered.readBytes(b, off, n);
          return n;
        }
      }
    };
  }

  @Override
  public OutputStream output() {
    return new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        if (!channel.isActive()) {
          throw new IOException("the connection closed during authentication");
        }
        channel.writeAndFlush(Unpooled.copiedBuffer(b, off, len));
      }
    };
  }

  @Override
  public SocketAddress remoteAddress() {
    return channel.remoteAddress();
  }

  @Override
  public Optional<SSLSession> tlsSession() {
    SslHandler tls = channel.pipeline().get(SslHandler.class);
    return tls == null ? Optional.empty() : Optional.of(tls.engine().getSession());
  }

  @Override
  public boolean isServer() {
    return server;
  }

  /** Wraps an authenticator's failure in an {@link AuthenticationException}. */
  public static AuthenticationException failure(Throwable t) {
    if (t instanceof AuthenticationException) {
      return (AuthenticationException) t;
    }
    return new AuthenticationException("authentication failed: " + t, t);
  }
}
