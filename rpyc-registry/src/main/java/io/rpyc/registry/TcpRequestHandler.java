package io.rpyc.registry;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.rpyc.ProtocolViolationException;
import io.rpyc.internal.codec.Brine;
import io.rpyc.internal.registry.RegistryMessages;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request per connection, as RPyC's TCP registry: collect the request (RPyC reads a single
 * {@code recv(1500)}; we accept it in pieces), reply, close. A request that outgrows 1500 bytes,
 * does not decode once the peer stops sending, or is not a registry request closes the connection
 * without a reply; a {@code ReadTimeoutHandler} in front closes connections that send too little.
 * One instance per connection; owns and releases its accumulation buffer.
 */
final class TcpRequestHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(TcpRequestHandler.class);

  private final RegistryCommands commands;
  private ByteBuf request;
  private boolean done;

  TcpRequestHandler(RegistryCommands commands) {
    this.commands = commands;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    request = ctx.alloc().heapBuffer(256, RegistryMessages.MAX_DGRAM_SIZE + 1);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf in = (ByteBuf) msg;
    try {
      if (done) {
        return;
      }
      int room = RegistryMessages.MAX_DGRAM_SIZE + 1 - request.readableBytes();
      request.writeBytes(in, Math.min(room, in.readableBytes()));
    } finally {
      in.release();
    }
    if (request.readableBytes() > RegistryMessages.MAX_DGRAM_SIZE) {
      log.debug(
          "closing {}: request over {} bytes", ctx.channel(), RegistryMessages.MAX_DGRAM_SIZE);
      finish(ctx, null);
      return;
    }
    answer(ctx, false);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof ChannelInputShutdownEvent && !done) {
      // The peer half-closed: what we have is all there will be.
      answer(ctx, true);
    }
    ctx.fireUserEventTriggered(evt);
  }

  private void answer(ChannelHandlerContext ctx, boolean complete) {
    if (!request.isReadable()) {
      if (complete) {
        finish(ctx, null);
      }
      return;
    }
    int first = request.getUnsignedByte(request.readerIndex());
    if (first != Brine.TAG_TUP3 && first != Brine.TAG_TUP_S && first != Brine.TAG_TUP_L) {
      // Every request is a 3-tuple: no point waiting for more of something else.
      log.debug("closing {}: not a registry request", ctx.channel());
      finish(ctx, null);
      return;
    }
    byte[] reply;
    try {
      reply =
          commands.handle(
              request.duplicate(),
              ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress());
    } catch (ProtocolViolationException e) {
      if (complete) {
        log.debug("closing {}: {}", ctx.channel(), e.getMessage());
        finish(ctx, null);
      }
      return; // incomplete so far: wait for more, or for the read timeout
    }
    finish(ctx, reply);
  }

  private void finish(ChannelHandlerContext ctx, byte[] reply) {
    done = true;
    if (reply == null) {
      ctx.close();
    } else {
      ctx.writeAndFlush(Unpooled.wrappedBuffer(reply)).addListener(ChannelFutureListener.CLOSE);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("closing {}: {}", ctx.channel(), cause.toString());
    done = true;
    ctx.close();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    if (request != null) {
      request.release();
      request = null;
    }
  }
}
