package io.rpyc.internal.protocol;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.rpyc.internal.codec.Message;

/** The pipeline's last member: hands decoded messages and channel events to the connection. */
public final class ConnectionHandler extends ChannelInboundHandlerAdapter {
  private final ProtocolConnection connection;

  public ConnectionHandler(ProtocolConnection connection) {
    this.connection = connection;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    connection.onMessage((Message) msg);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    connection.onInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    connection.onError(cause);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    connection.onWritabilityChanged();
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof IdleStateEvent) {
      connection.onReaderIdle();
    } else {
      ctx.fireUserEventTriggered(event);
    }
  }
}
