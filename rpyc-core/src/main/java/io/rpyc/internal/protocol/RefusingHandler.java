package io.rpyc.internal.protocol;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import io.rpyc.RemoteInvocationException;
import io.rpyc.RpycConfig;
import io.rpyc.internal.codec.FrameDecoder;
import io.rpyc.internal.codec.FrameEncoder;
import io.rpyc.internal.codec.Message;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a connection away with a reason the peer can read: its first request, whatever it is (our
 * {@code JAVA_HELLO}, a Python client's {@code GETROOT}), gets an exception reply {@code
 * builtins.ConnectionRefusedError(reason)}, as {@link ProtocolConnection} sends exception replies,
 * and the connection closes. RPyC has no refusal message of its own; this is the one answer every
 * RPyC client can show. No service is created and nothing else is served; a peer that sends no
 * request within the timeout, or a first frame above {@link #MAX_FRAME}, is just closed.
 */
public final class RefusingHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(RefusingHandler.class);

  /** The Python type of the refusal; {@code ProtocolConnection} recognizes it at connect time. */
  static final String REFUSAL_TYPE = "builtins.ConnectionRefusedError";

  /** The largest first request a refused peer may send: JAVA_HELLO and GETROOT are tiny. */
  static final int MAX_FRAME = 64 << 10;

  private final String reason;
  private final boolean includeTraceback;
  private boolean answered;

  private RefusingHandler(String reason, boolean includeTraceback) {
    this.reason = reason;
    this.includeTraceback = includeTraceback;
  }

  /**
   * Installs the refusal at the end of the pipeline of {@code ch} (after TLS, if any) and closes
   * the channel if no request arrives within {@code timeout}. Call on the channel's event loop,
   * e.g. from {@code initChannel}.
   */
  public static void install(Channel ch, String reason, RpycConfig config, Duration timeout) {
    ch.pipeline()
        .addLast("frames", new FrameDecoder(MAX_FRAME, config.maxNestingDepth()))
        .addLast("refuse", new RefusingHandler(reason, config.includeLocalTraceback()));
    ScheduledFuture<?> expiry =
        ch.eventLoop().schedule(() -> ch.close(), timeout.toMillis(), TimeUnit.MILLISECONDS);
    ch.closeFuture().addListener(f -> expiry.cancel(false));
  }

  /** Whether an exception reply is the refusal of a server at its connection cap. */
  static boolean isRefusal(RemoteInvocationException e) {
    return REFUSAL_TYPE.equals(e.remoteType());
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    Message message = (Message) msg;
    if (answered || message.type() != Message.REQUEST) {
      return; // replies to nothing we asked; requests after the refusal
    }
    answered = true;
    Object body = Vinegar.dump(PyError.connectionRefused(reason), includeTraceback, false);
    ctx.writeAndFlush(
            FrameEncoder.encode(
                ctx.alloc(),
                Message.EXCEPTION,
                message.seq(),
                body,
                0,
                false,
                false,
                Integer.MAX_VALUE))
        .addListener(ChannelFutureListener.CLOSE);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("refused {}: closing after {}", ctx.channel().remoteAddress(), cause.toString());
    ctx.close();
  }
}
