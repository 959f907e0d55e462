package io.rpyc.internal.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.rpyc.ConnectionClosedException;
import io.rpyc.RpycConfig;
import io.rpyc.RpycException;
import io.rpyc.Service;
import io.rpyc.internal.codec.FrameDecoder;
import io.rpyc.internal.codec.LargeFrames;
import io.rpyc.internal.codec.Message;
import io.rpyc.internal.protocol.ProtocolConnection;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client connection on a plain socket whose callers do their own I/O, so that a synchronous call
 * costs the two thread wake-ups a raw TCP ping-pong costs (the server's and the caller's) instead
 * of four through an event loop.
 *
 * <p><b>Writing:</b> the thread that sends a frame writes it to the socket itself. When another
 * thread is writing at that moment, the frame is queued and that thread writes it along with its
 * own (frames of many threads share system calls). A thread that is reading never writes: its
 * frames go to a worker, so a reader can never be stuck behind a peer that is not reading.
 *
 * <p><b>Reading (leader/followers):</b> a caller waiting for its reply takes the read lock and
 * reads the socket itself, delivering every message it finds (other callers' replies wake them,
 * requests go to the workers as usual) until its own reply is there. Callers that find the lock
 * taken park until their reply is delivered or the reader leaves and promotes one of them. When no
 * caller has read for {@link #IDLE_NANOS}, the connection's reader thread takes over, so that
 * requests and asynchronous results arriving between calls are never left unread; it steps aside
 * for the next synchronous caller once the next message arrives.
 *
 * <p>Costs: one daemon reader thread per connection (like RMI's and RPyC's background threads); for
 * thousands of client connections use {@link RpycConfig.ClientTransport#EVENT_LOOP}. TLS and
 * authenticated connections use the event loop transport.
 */
public final class SocketWire implements Wire {
  private static final Logger log = LoggerFactory.getLogger(SocketWire.class);

  /** How long after the last caller stopped reading the reader thread takes over. */
  static final long IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

  /** Longest a reading caller stays in one read: how soon it notices an interrupt or deadline. */
  private static final int MAX_READ_WAIT_MILLIS = 50;

  /** Longest a follower parks before it looks whether the read lock is free. */
  private static final long FOLLOWER_RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

  private static final int READ_CHUNK = 64 << 10;
  private static final int COALESCE_LIMIT = 16 << 10;
  private static final long WRITE_BUDGET = 4 << 20;

  /**
   * Heap buffers, since the socket streams copy from and to arrays. Small ones unpooled: a frame is
   * mostly encoded by one thread and freed by another (the writer), which costs a pooled arena a
   * lock per frame, while a small array is a bump of the allocating thread's TLAB. Large ones (the
   * encoder sizes a frame for its payload up front, the read buffer is 64 KiB) pooled: a fresh
   * megabyte array is a zeroed humongous allocation for G1, and a 1 MiB echo took about 1.5× as
   * long with unpooled buffers.
   */
  private static final ByteBufAllocator ALLOC = new SizedAllocator();

  private static volatile ScheduledExecutorService timers;

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final FrameDecoder decoder;
  private final Executor executor;
  private final SocketAddress local;
  private final SocketAddress remote;
  private volatile ProtocolConnection connection;
  private volatile boolean closing;

  // reading
  private final ReentrantLock readLock = new ReentrantLock();
  private final ConcurrentLinkedQueue<Follower> followers = new ConcurrentLinkedQueue<>();
  private final List<Object> decoded = new ArrayList<>(); // guarded by readLock
  private ByteBuf cumulation; // guarded by readLock
  private ByteBuf chunk; // guarded by readLock: the part of a large frame being read into
  private volatile long lastCallerRead = System.nanoTime();
  private final AtomicLong followerArrivals = new AtomicLong();
  private volatile boolean readerWanted;
  private volatile long lastRead = System.nanoTime();
  private final Thread reader;
  private final SpinWait spin; // guarded by readLock: the reading caller's waits

  // writing
  private final ReentrantLock writeLock = new ReentrantLock();
  private final FrameQueue queue = new FrameQueue();
  private final AtomicBoolean kicked = new AtomicBoolean();
  private volatile long writingSince; // nanoTime a write began, 0 when none is under way
  private final long stuckWriteNanos;
  private byte[] scratch; // guarded by writeLock; allocated on the first write

  private SocketWire(Socket socket, RpycConfig config, Executor executor) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
    this.decoder = new FrameDecoder(config.maxFrameSize(), config.maxNestingDepth());
    this.executor = executor;
    this.local = socket.getLocalSocketAddress();
    this.remote = socket.getRemoteSocketAddress();
    this.stuckWriteNanos = config.syncRequestTimeout().toNanos();
    this.spin = new SpinWait(config.spinWait().toNanos());
    this.reader = new Thread(this::readLoop, "rpyc-reader-" + socket.getLocalPort());
    reader.setDaemon(true);
  }

  /**
   * Opens a connection; returns once the extension is negotiated and the service's {@code
   * onConnect} ran.
   */
  public static ProtocolConnection connect(
      String host, int port, Service service, RpycConfig config, Executor executor) {
    Socket socket = new Socket();
    SocketWire wire;
    try {
      socket.setTcpNoDelay(config.tcpNoDelay());
      socket.connect(new InetSocketAddress(host, port), (int) config.connectTimeout().toMillis());
      wire = new SocketWire(socket, config, executor);
    } catch (SocketTimeoutException e) {
      closeQuietly(socket);
      throw new RpycException("timed out connecting to " + host + ":" + port, e);
    } catch (IOException e) {
      closeQuietly(socket);
      throw new RpycException("cannot connect to " + host + ":" + port + ": " + e.getMessage(), e);
    }
    ProtocolConnection connection;
    try {
      connection = new ProtocolConnection(wire, config, service, executor);
    } catch (RuntimeException | Error e) {
      closeQuietly(socket);
      throw e;
    }
    wire.connection = connection;
    wire.reader.start();
    wire.watchWrites();
    Duration keepAlive = config.keepAliveInterval();
    if (keepAlive != null) {
      wire.checkIdle(keepAlive.toNanos(), System.nanoTime());
    }
    try {
      connection.startAsInitiator();
    } catch (RuntimeException e) {
      connection.close();
      closeQuietly(socket);
      throw e;
    }
    log.debug("connected {}", connection);
    return connection;
  }

  /** Unpooled heap buffers below {@link #POOLED_FROM} bytes, pooled ones from there up. */
  private static final class SizedAllocator implements ByteBufAllocator {
    static final int POOLED_FROM = 64 << 10;
    private final ByteBufAllocator small = new UnpooledByteBufAllocator(false);
    private final ByteBufAllocator large = new PooledByteBufAllocator(false);

    private ByteBufAllocator pick(int initialCapacity) {
      return initialCapacity >= POOLED_FROM ? large : small;
    }

    @Override
    public ByteBuf buffer() {
      return small.heapBuffer();
    }

    @Override
    public ByteBuf buffer(int initialCapacity) {
      return pick(initialCapacity).heapBuffer(initialCapacity);
    }

    @Override
    public ByteBuf buffer(int initialCapacity, int maxCapacity) {
      return pick(initialCapacity).heapBuffer(initialCapacity, maxCapacity);
    }

    @Override
    public ByteBuf ioBuffer() {
      return buffer();
    }

    @Override
    public ByteBuf ioBuffer(int initialCapacity) {
      return buffer(initialCapacity);
    }

    @Override
    public ByteBuf ioBuffer(int initialCapacity, int maxCapacity) {
      return buffer(initialCapacity, maxCapacity);
    }

    @Override
    public ByteBuf heapBuffer() {
      return buffer();
    }

    @Override
    public ByteBuf heapBuffer(int initialCapacity) {
      return buffer(initialCapacity);
    }

    @Override
    public ByteBuf heapBuffer(int initialCapacity, int maxCapacity) {
      return buffer(initialCapacity, maxCapacity);
    }

    @Override
    public ByteBuf directBuffer() {
      return small.directBuffer();
    }

    @Override
    public ByteBuf directBuffer(int initialCapacity) {
      return pick(initialCapacity).directBuffer(initialCapacity);
    }

    @Override
    public ByteBuf directBuffer(int initialCapacity, int maxCapacity) {
      return pick(initialCapacity).directBuffer(initialCapacity, maxCapacity);
    }

    @Override
    public CompositeByteBuf compositeBuffer() {
      return small.compositeHeapBuffer();
    }

    @Override
    public CompositeByteBuf compositeBuffer(int maxNumComponents) {
      return small.compositeHeapBuffer(maxNumComponents);
    }

    @Override
    public CompositeByteBuf compositeHeapBuffer() {
      return small.compositeHeapBuffer();
    }

    @Override
    public CompositeByteBuf compositeHeapBuffer(int maxNumComponents) {
      return small.compositeHeapBuffer(maxNumComponents);
    }

    @Override
    public CompositeByteBuf compositeDirectBuffer() {
      return small.compositeDirectBuffer();
    }

    @Override
    public CompositeByteBuf compositeDirectBuffer(int maxNumComponents) {
      return small.compositeDirectBuffer(maxNumComponents);
    }

    @Override
    public boolean isDirectBufferPooled() {
      return false; // small ones are not
    }

    @Override
    public int calculateNewCapacity(int minNewCapacity, int maxCapacity) {
      return small.calculateNewCapacity(minNewCapacity, maxCapacity);
    }
  }

  // ---------------------------------------------------------------- writing

  @Override
  public ByteBufAllocator alloc() {
    return ALLOC;
  }

  @Override
  public void send(Supplier<ByteBuf> encoder, Duration timeout) {
    send(encoder, timeout, false);
  }

  /**
   * Queues the frame and has a worker write it, unless a full write's worth is queued: a thread
   * sending many asynchronous requests in a row then makes one system call per batch, not one per
   * request, and the server reads them in batches too.
   */
  @Override
  public void sendBatched(Supplier<ByteBuf> encoder, Duration timeout) {
    send(encoder, timeout, true);
  }

  private void send(Supplier<ByteBuf> encoder, Duration timeout, boolean batched) {
    if (readLock.isHeldByCurrentThread()) {
      // a reader never waits nor writes: the peer may be waiting for us to read
      enqueue(encoder.get());
      return;
    }
    awaitWritable(timeout);
    queue(encoder.get());
    // an interrupted virtual thread in socket I/O would close the socket: a worker writes for it
    if (!isVirtual(Thread.currentThread()) && (!batched || queue.bytes() >= COALESCE_LIMIT)) {
      writeQueued();
    } else {
      kickWriter();
    }
  }

  @Override
  public void enqueue(ByteBuf frame) {
    queue(frame);
    kickWriter();
  }

  /** Has a worker write what is queued, unless one is about to or a writer holds the lock. */
  private void kickWriter() {
    if (writeLock.isLocked() || !kicked.compareAndSet(false, true)) {
      return; // the writer, or the worker already asked, writes it before it lets go
    }
    try {
      executor.execute(
          () -> {
            kicked.set(false);
            writeQueued();
          });
    } catch (RejectedExecutionException e) {
      kicked.set(false);
      writeQueued(); // shutting down
    }
  }

  private void queue(ByteBuf frame) {
    if (closing) {
      frame.release();
      throw new ConnectionClosedException("the connection is closed");
    }
    queue.add(frame);
  }

  /**
   * Writes what is queued unless another thread is writing (which then writes it), including frames
   * queued while it wrote. A thread writes at most about {@link #WRITE_BUDGET} bytes, then leaves
   * the rest to a worker.
   */
  private void writeQueued() {
    long budget = WRITE_BUDGET;
    while (!queue.isEmpty() && writeLock.tryLock()) {
      try {
        budget = writeAll(budget);
      } finally {
        writeLock.unlock();
      }
      if (budget <= 0) {
        kickWriter(); // leaves any rest to a worker
        return;
      }
    }
  }

  /** Writes queued frames, up to about {@code budget} bytes; returns the budget left. */
  private long writeAll(long budget) {
    if (scratch == null) {
      scratch = new byte[COALESCE_LIMIT];
    }
    int pending = 0; // bytes in scratch
    ByteBuf frame;
    writingSince = System.nanoTime();
    try {
      while (budget > 0 && (frame = queue.poll()) != null) {
        int length = frame.readableBytes();
        budget -= length;
        try {
          if (pending + length <= scratch.length) {
            frame.getBytes(frame.readerIndex(), scratch, pending, length);
            pending += length;
            continue;
          }
          if (pending > 0) {
            out.write(scratch, 0, pending);
            pending = 0;
          }
          if (length <= scratch.length) {
            frame.getBytes(frame.readerIndex(), scratch, 0, length);
            pending = length;
          } else if (frame.hasArray()) {
            out.write(frame.array(), frame.arrayOffset() + frame.readerIndex(), length);
          } else {
            frame.getBytes(frame.readerIndex(), out, length);
          }
        } finally {
          frame.release();
        }
      }
      if (pending > 0) {
        out.write(scratch, 0, pending);
      }
    } catch (IOException e) {
      queue.releaseAll();
      failed(e);
      return budget; // nothing is left to write
    } finally {
      writingSince = 0;
      signal();
    }
    // frames queued after the last poll are written by the caller's loop (writeQueued), not by a
    // worker: handing them over cost a wake-up at every few calls with 8 threads
    return budget;
  }

  /** Waits while the peer is not reading: from above the high-water mark down to the low one. */
  private void awaitWritable(Duration timeout) {
    if (queue.bytes() <= WriteQueue.HIGH_WATER_MARK) {
      return;
    }
    queue.awaitRoom(
        () -> queue.bytes() <= WriteQueue.LOW_WATER_MARK,
        this::isActive,
        queue::bytes,
        timeout,
        TimeUnit.MILLISECONDS.toNanos(50));
  }

  @Override
  public void signal() {
    queue.signal();
  }

  @Override
  public void closeAfterFlush() {
    if (closing) {
      return;
    }
    Runnable close =
        () -> {
          try {
            if (writeLock.tryLock(1, TimeUnit.SECONDS)) { // a stuck writer: close anyway
              try {
                writeAll(Long.MAX_VALUE);
              } finally {
                writeLock.unlock();
              }
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          closing = true;
          queue.releaseAll();
          closeQuietly(socket);
          signal();
          wakeFollowers();
        };
    try {
      executor.execute(close);
    } catch (RejectedExecutionException e) {
      close.run();
    }
  }

  @Override
  public boolean isActive() {
    return !closing && !socket.isClosed();
  }

  // ---------------------------------------------------------------- reading

  @Override
  public void awaitReply(Object blocker, long nanos, BooleanSupplier ready) {
    long deadline = System.nanoTime() + nanos;
    boolean virtual = isVirtual(Thread.currentThread());
    if (virtual) {
      readerWanted = true; // the reader thread reads for it (see send)
      LockSupport.unpark(reader);
    }
    if (!virtual && readLock.tryLock()) {
      try {
        readUntil(deadline, ready);
      } finally {
        lastCallerRead = System.nanoTime();
        readLock.unlock();
        handOff();
      }
      return;
    }
    Follower me = new Follower(Thread.currentThread(), ready);
    followers.add(me);
    followerArrivals.incrementAndGet();
    try {
      if ((virtual || readLock.isLocked()) && !ready.getAsBoolean()) {
        // woken by its reply, by a leaving reader, or (a safety net) after a while to look again
        LockSupport.parkNanos(blocker, Math.min(nanos, FOLLOWER_RECHECK_NANOS));
      }
    } finally {
      followers.remove(me);
    }
  }

  /**
   * The reading caller: reads until {@code ready}, the deadline, an interrupt or the end of the
   * connection, spinning first (see {@link SpinWait}) while that has been shortening its waits.
   */
  private void readUntil(long deadline, BooleanSupplier ready) {
    long start = System.nanoTime();
    long spinUntil = start + spin.budget();
    boolean spun = false;
    while (!ready.getAsBoolean() && isActive() && !Thread.currentThread().isInterrupted()) {
      long now = System.nanoTime();
      long left = deadline - now;
      if (left <= 0) {
        break;
      }
      if (now < spinUntil && followers.isEmpty()) {
        spun |= spinUntilReadable(Math.min(spinUntil, deadline));
      }
      if (!readOnce(waitMillis(left))) {
        break;
      }
    }
    if (ready.getAsBoolean()) {
      spin.waited(System.nanoTime() - start, spun);
    }
  }

  /**
   * Spins until the socket has bytes to read, another caller waits too (it may need this CPU), or
   * {@code until}: the read that follows then finds its bytes without blocking and being woken.
   * Returns whether it spun (it does not while another caller of the JVM waits).
   */
  private boolean spinUntilReadable(long until) {
    if (ProtocolConnection.callersAwaitingReplies() != 1) {
      return false; // so at most one caller of the JVM spins
    }
    try {
      while (in.available() == 0
          && followers.isEmpty()
          && ProtocolConnection.callersAwaitingReplies() == 1
          && System.nanoTime() < until) {
        Thread.onSpinWait();
      }
    } catch (IOException e) {
      // the read that follows fails and reports it
    }
    return true;
  }

  /** A caller waiting while another thread reads. */
  private static final class Follower {
    final Thread thread;
    final BooleanSupplier ready;

    Follower(Thread thread, BooleanSupplier ready) {
      this.thread = thread;
      this.ready = ready;
    }
  }

  /**
   * A reading caller leaves. One caller still waiting reads next; two or more and the reader thread
   * takes over, reading for all of them as long as several wait (no hand-over from caller to caller
   * at every reply).
   */
  private void handOff() {
    Follower first = null;
    for (Follower f : followers) {
      if (!f.ready.getAsBoolean()) {
        if (first != null) {
          readerWanted = true;
          LockSupport.unpark(reader);
          return;
        }
        first = f;
      }
    }
    if (first != null) {
      LockSupport.unpark(first.thread);
    }
  }

  /** How many callers wait for a reply that has not come yet, counting up to 2. */
  private int waitingCallers() {
    int n = 0;
    for (Follower f : followers) {
      if (!f.ready.getAsBoolean() && ++n == 2) {
        break;
      }
    }
    return n;
  }

  /**
   * Whether {@code t} is a virtual thread (Java 21+): interrupting one that is blocked in socket
   * I/O closes the socket, so virtual threads leave reading and writing to other threads.
   */
  static boolean isVirtual(Thread t) {
    return t.getClass().getName().equals("java.lang.VirtualThread");
  }

  private static int waitMillis(long nanos) {
    long millis = TimeUnit.NANOSECONDS.toMillis(nanos) + 1;
    return (int) Math.min(millis, MAX_READ_WAIT_MILLIS);
  }

  private void wakeFollowers() {
    for (Follower f : followers) {
      LockSupport.unpark(f.thread);
    }
  }

  /** The reader thread: reads whenever no caller has for a while. */
  private void readLoop() {
    try {
      readUntilClosed();
    } catch (Throwable t) {
      log.error("{}: the reader thread failed", connection, t);
      closing = true;
      connection.onError(t);
      closeQuietly(socket);
    }
    readLock.lock();
    try {
      releaseCumulation();
    } finally {
      readLock.unlock();
    }
  }

  private void readUntilClosed() {
    while (isActive()) {
      if ((!readerWanted && System.nanoTime() - lastCallerRead < IDLE_NANOS)
          || !readLock.tryLock()) {
        LockSupport.parkNanos(this, IDLE_NANOS);
        continue;
      }
      readerWanted = false;
      try {
        while (true) {
          long arrivals = followerArrivals.get();
          if (!readOnce(0)) {
            break;
          }
          int waiting = waitingCallers();
          if (waiting < 2 && (waiting == 1 || followerArrivals.get() != arrivals)) {
            break; // a single caller is active: it reads its own replies from now on
          }
        }
      } finally {
        lastCallerRead = System.nanoTime();
        readLock.unlock();
        handOff();
      }
    }
  }

  private void releaseCumulation() {
    if (cumulation != null) {
      cumulation.release();
      cumulation = null;
    }
    if (chunk != null) {
      chunk.release();
      chunk = null;
    }
  }

  /**
   * Reads what the socket has, waiting up to {@code timeoutMillis} (0: until something comes), and
   * delivers every whole message. Holds the read lock. Returns false once the stream has ended.
   */
  private boolean readOnce(int timeoutMillis) {
    ProtocolConnection c = connection;
    if (closing) {
      return false;
    }
    try {
      if (cumulation == null) {
        cumulation = ALLOC.heapBuffer(READ_CHUNK);
      }
      ByteBuf target = readTarget();
      socket.setSoTimeout(timeoutMillis);
      int n =
          in.read(
              target.array(), target.arrayOffset() + target.writerIndex(), target.writableBytes());
      if (n < 0) {
        closing = true;
        closeQuietly(socket);
        c.onInactive();
        return false;
      }
      target.writerIndex(target.writerIndex() + n);
      lastRead = System.nanoTime();
      if (target == chunk) {
        if (chunk.isWritable()) {
          return true; // the frame goes on in this chunk
        }
        ByteBuf filled = chunk;
        chunk = null; // the composite owns it from here, even if adding it fails
        ((CompositeByteBuf) cumulation).addComponent(true, filled);
      }
      decoder.decodeFrames(ALLOC, cumulation, decoded);
      if (!cumulation.isReadable()) {
        if (cumulation instanceof CompositeByteBuf || cumulation.capacity() > 2 * READ_CHUNK) {
          releaseCumulation(); // a large frame passed: do not keep its buffer
        } else {
          cumulation.clear();
        }
      } else if (cumulation.readerIndex() > cumulation.capacity() / 2) {
        cumulation.discardReadBytes();
      }
      for (int i = 0; i < decoded.size(); i++) {
        c.onMessage((Message) decoded.get(i));
      }
      return true;
    } catch (SocketTimeoutException e) {
      return true;
    } catch (IOException e) {
      failed(e);
      return false;
    } catch (RuntimeException e) {
      c.onError(e); // a malformed frame: the connection closes (after telling the peer)
      return false;
    } finally {
      decoded.clear();
    }
  }

  /**
   * The buffer to read into. Normally the cumulation, with room for at least {@link #READ_CHUNK}
   * bytes or, within a frame, up to what it still needs. A {@linkplain LargeFrames large} frame is
   * read into chunks that join a composite as they fill: nothing is copied to grow. A chunk never
   * reaches past its frame (the frame ends with a full chunk) nor more than doubles what arrived (a
   * hostile length header alone allocates nothing).
   */
  private ByteBuf readTarget() {
    if (chunk != null) {
      return chunk;
    }
    int readable = cumulation.readableBytes();
    long frame = FrameDecoder.announced(cumulation);
    long missing = Math.max(frame - readable, READ_CHUNK); // what the frame still lacks, if known
    if (LargeFrames.isLarge(frame)
        && (cumulation instanceof CompositeByteBuf || cumulation.writableBytes() < missing)) {
      if (!(cumulation instanceof CompositeByteBuf)) {
        CompositeByteBuf chunks = ALLOC.compositeHeapBuffer(Integer.MAX_VALUE);
        cumulation = chunks.addComponent(true, cumulation);
      }
      int size =
          (int)
              Math.min(
                  frame - readable, Math.min(LargeFrames.CHUNK, Math.max(READ_CHUNK, readable)));
      chunk = size == LargeFrames.CHUNK ? LargeFrames.fullChunk(false) : ALLOC.heapBuffer(size);
      return chunk;
    }
    int room = (int) Math.min(missing, READ_CHUNK); // enough for the next read
    if (cumulation.writableBytes() >= room) {
      return cumulation;
    }
    if (cumulation.readerIndex() > 0) {
      cumulation.discardReadBytes();
      if (cumulation.writableBytes() >= room) {
        return cumulation;
      }
    }
    // grow geometrically (linear copying overall) towards the announced frame, never by more than
    // what has arrived
    long grow = Math.min(missing, Math.max(READ_CHUNK, (long) readable));
    ByteBuf grown = ALLOC.heapBuffer((int) Math.min(Integer.MAX_VALUE - 8, readable + grow));
    grown.writeBytes(cumulation);
    cumulation.release();
    cumulation = grown;
    return cumulation;
  }

  /**
   * The stream failed (or was closed here). The connection learns the reason before the socket
   * closes, so that a thread failing because of that close (a writer, a reader) cannot report "the
   * peer closed the connection" first.
   */
  private void failed(IOException e) {
    ProtocolConnection c = connection;
    boolean expected = closing;
    closing = true;
    if (c != null) {
      if (expected) {
        c.onInactive();
      } else {
        c.onError(e);
      }
    }
    closeQuietly(socket);
    signal();
    wakeFollowers();
  }

  // ---------------------------------------------------------------- timers

  private static ScheduledExecutorService timers() {
    ScheduledExecutorService t = timers;
    if (t == null) {
      synchronized (SocketWire.class) {
        t = timers;
        if (t == null) {
          ScheduledThreadPoolExecutor e =
              new ScheduledThreadPoolExecutor(1, Transport.daemonThreads("rpyc-timer"));
          e.setRemoveOnCancelPolicy(true);
          timers = t = e;
        }
      }
    }
    return t;
  }

  @Override
  public void schedule(Runnable task, long delay, TimeUnit unit) {
    timers().schedule(task, delay, unit);
  }

  /** Keepalive: tells the connection when nothing was read for an interval (like Netty's). */
  private void checkIdle(long intervalNanos, long since) {
    if (!isActive()) {
      return;
    }
    long now = System.nanoTime();
    long idleSince = Math.max(lastRead, since);
    long left = idleSince + intervalNanos - now;
    if (left <= 0) {
      schedule(() -> checkIdle(intervalNanos, now), intervalNanos, TimeUnit.NANOSECONDS);
      try {
        executor.execute( // it sends a PING, which may wait: never on the shared timer thread
            () -> {
              if (System.nanoTime() - lastRead >= intervalNanos) {
                connection.onReaderIdle();
              }
            });
      } catch (RejectedExecutionException e) {
        // shutting down
      }
    } else {
      schedule(() -> checkIdle(intervalNanos, since), left, TimeUnit.NANOSECONDS);
    }
  }

  /**
   * A blocking socket write has no timeout: once a write has waited for the peer to read longer
   * than the synchronous-call timeout, the connection is closed (half a frame cannot be taken back)
   * and every pending call fails with the reason.
   */
  private void watchWrites() {
    if (!isActive()) {
      return;
    }
    long since = writingSince;
    if (since != 0 && System.nanoTime() - since > stuckWriteNanos) {
      log.warn(
          "{}: closing: the peer has not read what was sent for {}",
          connection,
          Duration.ofNanos(stuckWriteNanos));
      failed(
          new IOException(
              "the peer has not read what was sent for " + Duration.ofNanos(stuckWriteNanos)));
      return;
    }
    long period = Math.max(TimeUnit.MILLISECONDS.toNanos(100), stuckWriteNanos / 4);
    schedule(this::watchWrites, period, TimeUnit.NANOSECONDS);
  }

  @Override
  public SocketAddress localAddress() {
    return local;
  }

  @Override
  public SocketAddress remoteAddress() {
    return remote;
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // closing anyway
    }
  }
}
