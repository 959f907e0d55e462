package io.rpyc.benchmarks;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.rpyc.internal.codec.FrameDecoder;
import io.rpyc.internal.codec.FrameEncoder;
import io.rpyc.internal.codec.Message;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Frame + brine encoding and decoding of the two frames of an {@code add(7, 1)} call (the CALLATTR
 * request a JVM client sends, and its reply), beside the baseline of copying the same bytes into a
 * pooled buffer. {@code encodeRequestPlainRpyc} encodes the request as for a Python peer (no Java
 * tags: integers as brine's decimal text beyond the small range).
 *
 * <pre>
 * java -jar rpyc-benchmarks/target/rpyc-benchmarks-*-all.jar CodecBenchmark -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CodecBenchmark {
  private final ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
  private final FrameDecoder decoder = new FrameDecoder(EmbeddedServer.MAX, 64);
  private Object requestBody;
  private byte[] requestFrame;
  private byte[] replyFrame;
  private ByteBuf requestPayload;
  private ByteBuf directRequestPayload;
  private ByteBuf replyPayload;
  private long seq = 1 << 20;

  @Setup(Level.Trial)
  public void setUp() {
    try (EmbeddedServer server = new EmbeddedServer(new io.rpyc.benchmarks.AdderService())) {
      requestBody = server.addBody(7, 1);
      ByteBuf request = server.addRequest(7, 1);
      requestFrame = EmbeddedServer.bytes(request.retainedDuplicate());
      replyFrame = EmbeddedServer.bytes(server.exchange(request));
    }
    requestPayload = Unpooled.wrappedBuffer(requestFrame, 5, requestFrame.length - 6);
    // what a server decodes: a slice of a pooled direct buffer, as Netty's epoll transport reads
    directRequestPayload =
        PooledByteBufAllocator.DEFAULT
            .directBuffer(requestFrame.length)
            .writeBytes(requestFrame)
            .slice(5, requestFrame.length - 6);
    replyPayload = Unpooled.wrappedBuffer(replyFrame, 5, replyFrame.length - 6);
  }

  /** Baseline: a pooled buffer holding the request's bytes, without encoding anything. */
  @Benchmark
  public int copyRequestBytes() {
    ByteBuf frame = alloc.buffer(64);
    frame.writeBytes(requestFrame);
    int n = frame.readableBytes();
    frame.release();
    return n;
  }

  @Benchmark
  public int encodeRequest() {
    ByteBuf frame =
        FrameEncoder.encode(
            alloc,
            Message.REQUEST,
            seq++,
            requestBody,
            EmbeddedServer.CHAIN,
            true,
            false,
            EmbeddedServer.MAX);
    int n = frame.readableBytes();
    frame.release();
    return n;
  }

  @Benchmark
  public int encodeRequestPlainRpyc() {
    ByteBuf frame =
        FrameEncoder.encode(
            alloc, Message.REQUEST, seq++, requestBody, 0, false, false, EmbeddedServer.MAX);
    int n = frame.readableBytes();
    frame.release();
    return n;
  }

  @Benchmark
  public Message decodeRequest() {
    return decoder.decodePayload(requestPayload.duplicate());
  }

  @Benchmark
  public Message decodeRequestFromDirectBuffer() {
    return decoder.decodePayload(directRequestPayload.duplicate());
  }

  @Benchmark
  public int encodeReply() {
    ByteBuf frame =
        FrameEncoder.encode(
            alloc,
            Message.REPLY,
            seq++,
            new Object[] {EmbeddedServer.LABEL_VALUE, 8},
            0,
            true,
            false,
            EmbeddedServer.MAX);
    int n = frame.readableBytes();
    frame.release();
    return n;
  }

  @Benchmark
  public Message decodeReply() {
    return decoder.decodePayload(replyPayload.duplicate());
  }
}
