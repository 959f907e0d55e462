package io.rpyc.benchmarks;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One {@code add(7, 1)} request through the server side of a connection, from the request frame to
 * the reply frame: frame decoding, unboxing, dispatch, access check, invocation, boxing, encoding
 * and the write queue, on an {@code EmbeddedChannel} with a direct executor (so without the worker
 * hand-off and without a socket: see {@link HandoffBenchmark} for the hand-off). Beside it, the
 * baseline of decoding the request and encoding the reply, which any server must do.
 *
 * <pre>
 * java -jar rpyc-benchmarks/target/rpyc-benchmarks-*-all.jar DispatchBenchmark -prof gc
 * </pre>
 *
 * <p>The dispatch path needs a long warm-up: C2 compiles it after several seconds.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DispatchBenchmark {
  private EmbeddedServer server;
  private ByteBuf request;
  private final FrameDecoder decoder = new FrameDecoder(EmbeddedServer.MAX, 64);
  private ByteBuf requestPayload;

  @Setup(Level.Trial)
  public void setUp() {
    server = new EmbeddedServer(new AdderService());
    request = server.addRequest(7, 1);
    byte[] bytes = EmbeddedServer.bytes(request.retainedDuplicate());
    requestPayload = Unpooled.wrappedBuffer(bytes, 5, bytes.length - 6);
    ByteBuf reply = server.exchange(request.retainedDuplicate());
    reply.release();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    request.release();
    server.close();
  }

  @Benchmark
  public int dispatch() {
    ByteBuf reply = server.exchange(request.retainedDuplicate());
    int n = reply.readableBytes();
    reply.release();
    return n;
  }

  /** Baseline: decode the request, encode a reply; no dispatch, no write queue. */
  @Benchmark
  public int codecOnly() {
    Message m = decoder.decodePayload(requestPayload.duplicate());
    ByteBuf reply =
        FrameEncoder.encode(
            ByteBufAllocator.DEFAULT,
            Message.REPLY,
            m.seq(),
            new Object[] {EmbeddedServer.LABEL_VALUE, 8},
            0,
            true,
            false,
            EmbeddedServer.MAX);
    int n = reply.readableBytes();
    reply.release();
    return n;
  }
}
