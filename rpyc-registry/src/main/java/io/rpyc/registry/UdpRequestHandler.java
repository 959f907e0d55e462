package io.rpyc.registry;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.rpyc.ProtocolViolationException;
import io.rpyc.internal.registry.RegistryMessages;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One datagram in, at most one datagram back. Datagrams over RPyC's 1500 bytes and anything that
 * does not decode are dropped without a reply, as RPyC does. Runs on the I/O thread: a request is a
 * few map operations. The packet is released by the superclass.
 */
@ChannelHandler.Sharable
final class UdpRequestHandler extends SimpleChannelInboundHandler<DatagramPacket> {
  private static final Logger log = LoggerFactory.getLogger(UdpRequestHandler.class);

  private final RegistryCommands commands;

  UdpRequestHandler(RegistryCommands commands) {
    this.commands = commands;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
    ByteBuf content = packet.content();
    if (content.readableBytes() > RegistryMessages.MAX_DGRAM_SIZE) {
      log.debug("dropping an oversized datagram from {}", packet.sender());
      return;
    }
    byte[] reply;
    try {
      reply = commands.handle(content, packet.sender().getAddress());
    } catch (ProtocolViolationException e) {
      log.debug("dropping a malformed datagram from {}: {}", packet.sender(), e.getMessage());
      return;
    }
    if (reply != null) {
      ctx.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(reply), packet.sender()));
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // A datagram socket has no connection to lose (e.g. an ICMP "port unreachable" for an earlier
    // reply surfaces here): log and keep serving.
    log.debug("registry UDP socket error", cause);
  }
}
