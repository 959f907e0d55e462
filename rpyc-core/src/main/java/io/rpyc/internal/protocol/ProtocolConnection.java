package io.rpyc.internal.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.handler.codec.DecoderException;
import io.rpyc.Connection;
import io.rpyc.ConnectionClosedException;
import io.rpyc.ConnectionStats;
import io.rpyc.ProtocolViolationException;
import io.rpyc.PyValue;
import io.rpyc.RemoteInvocationException;
import io.rpyc.RemoteRef;
import io.rpyc.RpycConfig;
import io.rpyc.RpycException;
import io.rpyc.RpycTimeoutException;
import io.rpyc.Service;
import io.rpyc.Tuple;
import io.rpyc.internal.codec.FrameEncoder;
import io.rpyc.internal.codec.IdPack;
import io.rpyc.internal.codec.Message;
import io.rpyc.internal.codec.Tuples;
import io.rpyc.internal.transport.Transport;
import io.rpyc.internal.transport.Wire;
import io.rpyc.internal.transport.WriteQueue;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One end of an RPyC connection: the implementation of {@link Connection}.
 *
 * <p>Threads (see {@code docs/threading.md}): the channel's event loop decodes frames, unboxes
 * their values (in arrival order, so a DEL can never overtake a request that names the same
 * object), completes pending calls and answers PING, DEL and the extension handshake itself. Every
 * other request runs on the executor, or on a thread of its call chain that is waiting for a reply
 * ({@link CallChains}). Callers encode their own frames and hand the bytes to a {@link WriteQueue};
 * no lock is held across I/O or user code.
 */
public final class ProtocolConnection implements Connection {
  private static final Logger log = LoggerFactory.getLogger(ProtocolConnection.class);

  static final int LABEL_VALUE = 1;
  static final int LABEL_TUPLE = 2;
  static final int LABEL_LOCAL_REF = 3;
  static final int LABEL_REMOTE_REF = 4;

  /** Negotiation: magic, extension version, and the features both sides must offer. */
  static final String HELLO_MAGIC = "rpyc-java";

  static final int EXTENSION_VERSION = 1;
  static final Tuple FEATURES = Tuple.of("types", "chain");

  private static final AtomicInteger IDS = new AtomicInteger();

  /** Requests of one connection that may wait for a worker before new ones are refused. */
  static final int MAX_QUEUED_REQUESTS = 1 << 16;

  private static final ThreadLocal<ProtocolConnection> SERVING = new ThreadLocal<>();

  private final int id = IDS.incrementAndGet();
  private final Wire wire;
  private final RpycConfig config;
  private volatile Service service;
  private final Executor executor;
  private final Completions completions;
  final ExportTable exports = new ExportTable();
  final ImportTable imports = new ImportTable(this);
  final AccessPolicy policy;
  private final RequestHandlers handlers;
  private final ConcurrentHashMap<Long, PendingCall> pending = new ConcurrentHashMap<>();
  private final AtomicLong seqCounter = new AtomicLong();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final CompletableFuture<Void> closeFuture = new CompletableFuture<>();
  private final ConcurrentLinkedQueue<Object[]> dels = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean delFlushScheduled = new AtomicBoolean();
  private final LongAdder requestsSent = new LongAdder();
  private final LongAdder requestsServed = new LongAdder();
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile boolean javaPeer;
  private volatile boolean keepAlivePending;
  private final Object dispatchLock = new Object();
  private int runningRequests; // guarded by dispatchLock
  private final java.util.ArrayDeque<Runnable> queuedRequests = new java.util.ArrayDeque<>();
  private volatile Object credentials;
  private volatile int peerMaxFrameSize = Integer.MAX_VALUE;
  private volatile Netref root;
  private volatile Throwable closeCause;
  private volatile TypedProxies proxies = io.rpyc.internal.proxy.ByteBuddyProxies.INSTANCE;
  private final ConcurrentHashMap<String, List<Class<?>>> remoteTypes = new ConcurrentHashMap<>();

  // Requests that arrive before the local service's onConnect has finished.
  private final Object heldLock = new Object();
  private List<Runnable> held = new ArrayList<>(); // guarded by heldLock
  private volatile boolean started;

  /**
   * Creates the connection of a channel.
   *
   * @param service the local service, or {@code null} when an acceptor creates it later with {@link
   *     #startAsAcceptor}
   */
  public ProtocolConnection(
      Channel channel, RpycConfig config, Service service, Executor executor) {
    this(new WriteQueue(channel), config, service, executor);
  }

  /** Creates the connection of a {@link Wire}. */
  public ProtocolConnection(Wire wire, RpycConfig config, Service service, Executor executor) {
    this.wire = wire;
    this.config = config;
    this.executor = executor;
    this.completions = new Completions(executor, wire::schedule);
    this.policy = new AccessPolicy(config);
    this.handlers = new RequestHandlers(this);
    if (service != null) {
      setService(service);
    }
  }

  private void setService(Service service) {
    this.service = service;
    exports.pin(service);
  }

  // ---------------------------------------------------------------- lifecycle

  /**
   * Connecting side: negotiates the extension, runs the local service's {@code onConnect} on the
   * calling thread, then starts serving the peer's requests.
   */
  public void startAsInitiator() {
    if (config.javaExtensions()) {
      negotiate();
    }
    runOnConnect();
  }

  /**
   * Accepting side: creates the service and runs its {@code onConnect} on the executor (never on
   * the I/O thread), then starts serving.
   */
  public void startAsAcceptor(Supplier<? extends Service> factory) {
    try {
      executor.execute(
          () -> {
            Service created;
            try {
              created = factory.get();
            } catch (RuntimeException | Error e) {
              log.warn("{}: creating the service failed; closing", this, e);
              closeWith(e, "creating the service failed: " + e, true);
              return;
            }
            setService(created);
            try {
              runOnConnect();
            } catch (RuntimeException | Error e) {
              // logged, and the connection closed, by runOnConnect
            }
          });
    } catch (RejectedExecutionException e) {
      closeWith(e, "the server is shutting down", true);
    }
  }

  private void runOnConnect() {
    try {
      service.onConnect(this);
    } catch (RuntimeException | Error e) {
      log.warn("{}: onConnect of {} failed; closing", this, service.getClass().getName(), e);
      closeWith(e, "onConnect failed: " + e, true);
      throw e;
    }
    // Dispatch what was held, in order, outside the lock (dispatching may wait); requests that
    // arrive meanwhile are still held, behind them, until nothing is left to hand on.
    while (true) {
      List<Runnable> queued;
      synchronized (heldLock) {
        if (held.isEmpty()) {
          started = true;
          held = null;
          return;
        }
        queued = held;
        held = new ArrayList<>();
      }
      queued.forEach(Runnable::run);
    }
  }

  private void negotiate() {
    Object reply;
    try {
      reply =
          syncRequest(
              Handlers.JAVA_HELLO,
              new Object[] {HELLO_MAGIC, EXTENSION_VERSION, FEATURES, config.maxFrameSize()},
              config.connectTimeout());
    } catch (RemoteInvocationException e) {
      if (RefusingHandler.isRefusal(e)) {
        // not a Python peer declining the extension: a server at its connection cap saying so
        throw new ConnectionClosedException(
            "cannot connect to " + wire.remoteAddress() + ": " + e.remoteMessage(), e);
      }
      log.debug("{}: peer declined the Java extension ({}); plain RPyC 5.3", this, e.remoteType());
      return;
    }
    if (reply instanceof Tuple && ((Tuple) reply).size() >= 4) {
      Tuple t = (Tuple) reply;
      if (HELLO_MAGIC.equals(t.get(0)) && t.get(2) instanceof Tuple) {
        acceptFeatures((Tuple) t.get(2), t.get(3));
      }
    }
  }

  private void acceptFeatures(Tuple features, Object maxFrame) {
    if (features.containsAll(FEATURES)) {
      if (maxFrame instanceof Integer) {
        peerMaxFrameSize = (Integer) maxFrame;
      }
      javaPeer = true;
      log.debug("{}: Java extension on", this);
    }
  }

  @Override
  public void close() {
    closeWith(null, "connection closed", true);
  }

  /** Closes with a reason; sends RPyC's CLOSE first when {@code notifyPeer}. Idempotent. */
  void closeWith(Throwable cause, String reason, boolean notifyPeer) {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    closeCause = cause;
    if (notifyPeer && wire.isActive()) {
      try {
        wire.enqueue(encode(Message.REQUEST, nextSeq(), closeRequest(), 0));
      } catch (RuntimeException e) {
        log.debug("{}: could not send CLOSE", this, e);
      }
    }
    wire.closeAfterFlush();
    for (PendingCall call : pending.values()) {
      call.fail(
          new ConnectionClosedException(
              reason + " while waiting for the reply to " + Handlers.name(call.handler), cause));
    }
    pending.clear();
    exports.clear();
    imports.clear();
    dels.clear();
    try {
      executor.execute(this::runOnDisconnect);
    } catch (RejectedExecutionException e) {
      runOnDisconnect();
    }
    closeFuture.complete(null);
  }

  private static Object[] closeRequest() {
    return new Object[] {Handlers.CLOSE, new Object[] {LABEL_VALUE, new Object[0]}};
  }

  private void runOnDisconnect() {
    if (service == null) {
      return;
    }
    try {
      service.onDisconnect(this);
    } catch (RuntimeException | Error e) {
      log.warn("{}: onDisconnect of {} failed", this, service.getClass().getName(), e);
    }
  }

  /** The stream ended (transport thread). */
  public void onInactive() {
    closeWith(
        new IOException("the peer closed the connection"), "the connection was closed", false);
  }

  /** A decoding or I/O error (transport thread): log the reason, tell the peer, close. */
  public void onError(Throwable cause) {
    Throwable reason =
        cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
    if (closed.get()) {
      return;
    }
    if (reason instanceof IOException) {
      log.debug("{}: closing after I/O error: {}", this, reason.toString());
    } else {
      log.warn("{}: closing: {}", this, reason.getMessage() != null ? reason.getMessage() : reason);
    }
    closeWith(reason, "the connection failed (" + reason.getMessage() + ")", true);
  }

  /** The channel's writability changed (event loop): wake producers waiting to send. */
  void onWritabilityChanged() {
    wire.signal();
  }

  /**
   * Nothing was read for the keepalive interval (event loop): send a PING; if the previous one is
   * still unanswered, the peer is gone.
   */
  public void onReaderIdle() {
    if (closed.get()) {
      return;
    }
    if (keepAlivePending) {
      onError(
          new IOException(
              "the peer did not answer a keepalive PING within " + config.keepAliveInterval()));
      return;
    }
    keepAlivePending = true;
    try {
      PendingCall ping = asyncRequest(Handlers.PING, new Object[] {new byte[] {'k'}});
      ping.onDone((v, e) -> {});
      abandon(
          ping); // any reply (any read at all) resets the idle timer; the echo itself is not needed
    } catch (RpycException e) {
      log.debug("{}: could not send a keepalive PING", this, e);
    }
  }

  /** Completes when the connection has closed. */
  public CompletableFuture<Void> closeFuture() {
    return closeFuture;
  }

  /** Requests being served right now. */
  public int inFlight() {
    return inFlight.get();
  }

  // ---------------------------------------------------------------- sending

  private long nextSeq() {
    return seqCounter.getAndIncrement();
  }

  private boolean compress() {
    switch (config.compression()) {
      case ALWAYS:
        return true;
      case NEVER:
        return false;
      default:
        return !javaPeer;
    }
  }

  private ByteBuf encode(int type, long seq, Object body, long chain) {
    return FrameEncoder.encode(
        wire.alloc(),
        type,
        seq,
        body,
        chain,
        javaPeer,
        compress(),
        Math.min(config.maxFrameSize(), peerMaxFrameSize));
  }

  private void ensureOpen() {
    if (closed.get()) {
      throw new ConnectionClosedException("the connection is closed", closeCause);
    }
  }

  /**
   * Sends a request and waits for its reply, serving requests of the caller's chain meanwhile.
   *
   * @param args the handler's arguments, boxed here
   */
  Object syncRequest(int handler, Object[] args, Duration timeout) {
    if (Transport.isIoThread()) {
      throw new IllegalStateException(
          "a blocking remote call on a Netty I/O thread would stall every connection it serves;"
              + " make the call from another thread or use an asynchronous call");
    }
    ensureOpen();
    long seq = nextSeq();
    PendingCall call = new PendingCall(seq, handler, Thread.currentThread());
    CallChains.Mailbox mailbox = CallChains.enter(this);
    try {
      pending.put(seq, call);
      try {
        long chain = javaPeer ? mailbox.chain : 0;
        wire.send(() -> encode(Message.REQUEST, seq, requestBody(handler, args), chain), timeout);
        requestsSent.increment();
      } catch (RuntimeException e) {
        pending.remove(seq);
        throw e;
      }
      if (closed.get()) {
        call.fail(new ConnectionClosedException("the connection is closed", closeCause));
      }
      await(call, mailbox, timeout, handler, args);
    } finally {
      CallChains.exit(mailbox, this);
    }
    return call.result();
  }

  /**
   * Callers of this JVM waiting in {@link Wire#awaitReply}, on any connection and transport (not
   * while one runs a task of its call chain).
   */
  private static final AtomicInteger AWAITING_REPLIES = new AtomicInteger();

  /**
   * How many callers of this JVM are waiting for a reply now. A caller spins before it blocks only
   * while it is the only one: with more, the CPU it would hold is one the others (and the threads
   * serving them) need.
   */
  public static int callersAwaitingReplies() {
    return AWAITING_REPLIES.get();
  }

  private void await(
      PendingCall call, CallChains.Mailbox mailbox, Duration timeout, int handler, Object[] args) {
    long deadline = System.nanoTime() + timeout.toNanos();
    BooleanSupplier ready = () -> call.isDone() || mailbox.hasTask();
    while (!call.isDone()) {
      CallChains.ChainTask task = mailbox.poll();
      if (task != null) {
        task.run();
        continue;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        pending.remove(call.seq);
        if (!call.isDone()) {
          throw new RpycTimeoutException(
              "no reply to "
                  + describe(handler, args)
                  + " within "
                  + timeout
                  + " (result expired)");
        }
        break;
      }
      AWAITING_REPLIES.incrementAndGet();
      try {
        wire.awaitReply(call, left, ready);
      } finally {
        AWAITING_REPLIES.decrementAndGet();
      }
      if (Thread.interrupted()) {
        pending.remove(call.seq);
        Thread.currentThread().interrupt();
        throw new RpycException(
            "interrupted while waiting for the reply to " + describe(handler, args));
      }
    }
  }

  private static String describe(int handler, Object[] args) {
    String name = Handlers.name(handler);
    if ((handler == Handlers.CALLATTR || handler == Handlers.GETATTR) && args.length > 1) {
      return name + " '" + args[1] + "'";
    }
    return name;
  }

  /** Sends a request whose reply nobody waits for; returns the pending call for listeners. */
  PendingCall asyncRequest(int handler, Object[] args) {
    ensureOpen();
    long seq = nextSeq();
    PendingCall call = new PendingCall(seq, handler, null);
    pending.put(seq, call);
    try {
      long chain = javaPeer ? CallChains.current() : 0;
      wire.sendBatched(
          () -> encode(Message.REQUEST, seq, requestBody(handler, args), chain),
          config.syncRequestTimeout());
      requestsSent.increment();
    } catch (RuntimeException e) {
      pending.remove(seq);
      throw e;
    }
    if (closed.get()) {
      call.fail(new ConnectionClosedException("the connection is closed", closeCause));
    }
    return call;
  }

  /** Forgets a pending call (its result will be dropped on arrival). */
  void abandon(PendingCall call) {
    pending.remove(call.seq, call);
  }

  private Object[] requestBody(int handler, Object[] args) {
    return new Object[] {handler, boxArgs(args)};
  }

  private void sendReply(long seq, Object result) {
    if (closed.get()) {
      return;
    }
    RuntimeException encodingFailure;
    try {
      wire.send(() -> encode(Message.REPLY, seq, box(result), 0), config.syncRequestTimeout());
      return;
    } catch (ConnectionClosedException | RpycTimeoutException e) {
      log.warn("{}: dropping a reply: {}", this, e.getMessage());
      return;
    } catch (RuntimeException e) {
      encodingFailure = e; // e.g. larger than the peer accepts: tell the peer instead
    }
    sendException(seq, encodingFailure);
  }

  private void sendException(long seq, Throwable t) {
    if (closed.get()) {
      return;
    }
    Object body;
    try {
      body = Vinegar.dump(t, config.includeLocalTraceback(), javaPeer);
    } catch (RuntimeException e) {
      body = Vinegar.dump(new RpycException("unencodable exception: " + t), false, javaPeer);
    }
    Object exception = body;
    try {
      wire.send(() -> encode(Message.EXCEPTION, seq, exception, 0), config.syncRequestTimeout());
    } catch (RpycException e) {
      log.warn("{}: dropping an exception reply: {}", this, e.getMessage());
    }
  }

  /** Queues a DEL for a released handle (cleaner thread); sent in a batch from the event loop. */
  void queueDel(IdPack id, long count) {
    if (closed.get()) {
      return;
    }
    dels.add(new Object[] {id, count});
    if (delFlushScheduled.compareAndSet(false, true)) {
      try {
        wire.schedule(this::flushDels, 2, TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        dels.clear();
      }
    }
  }

  /**
   * The body of a DEL request, {@code (HANDLE_DEL, ((LABEL_LOCAL_REF, id), (LABEL_VALUE, count)))}
   * with the arguments boxed as a tuple: what RPyC sends when a proxy dies (spec §14.4).
   */
  static Object[] delBody(IdPack id, long count) {
    return new Object[] {
      Handlers.DEL,
      new Object[] {
        LABEL_TUPLE,
        new Object[] {new Object[] {LABEL_LOCAL_REF, id}, new Object[] {LABEL_VALUE, count}}
      }
    };
  }

  private void flushDels() {
    delFlushScheduled.set(false);
    Object[] del;
    while ((del = dels.poll()) != null) {
      if (closed.get() || !wire.isActive()) {
        dels.clear();
        return;
      }
      wire.enqueue(encode(Message.REQUEST, nextSeq(), delBody((IdPack) del[0], (Long) del[1]), 0));
    }
  }

  // ---------------------------------------------------------------- receiving (event loop)

  /** One decoded message from the peer (one transport thread at a time, in order). */
  public void onMessage(Message message) {
    keepAlivePending = false;
    switch (message.type()) {
      case Message.REPLY:
        {
          PendingCall call = pending.remove(message.seq());
          Object value;
          try {
            value = unbox(message.body());
          } catch (RuntimeException e) {
            if (call != null) {
              call.fail(new ProtocolViolationException("malformed reply: " + e.getMessage(), e));
            }
            return;
          }
          if (call != null) {
            call.complete(value);
          }
          // else: a late or unsolicited reply; any handles it carried are released by GC
          break;
        }
      case Message.EXCEPTION:
        {
          PendingCall call = pending.remove(message.seq());
          if (call != null) {
            call.fail(Vinegar.load(message.body()));
          }
          break;
        }
      default:
        onRequest(message);
    }
  }

  private void onRequest(Message message) {
    long seq = message.seq();
    requestsServed.increment();
    Object body = message.body();
    if (!(body instanceof Tuple)
        || ((Tuple) body).size() != 2
        || !(((Tuple) body).get(0) instanceof Integer)) {
      sendException(seq, PyError.typeError("malformed request: expected (handler, args)"));
      return;
    }
    int handler = (Integer) ((Tuple) body).get(0);
    Object boxedArgs = ((Tuple) body).get(1);
    switch (handler) {
      case Handlers.CLOSE:
        closeWith(new IOException("the peer sent CLOSE"), "the peer closed the connection", false);
        return;
      case Handlers.DEL:
        handleDel(seq, boxedArgs);
        return;
      default:
        break;
    }
    Object[] args;
    try {
      args = unboxArgs(boxedArgs);
    } catch (RuntimeException e) {
      sendException(seq, e);
      return;
    }
    if (handler == Handlers.PING) {
      if (args.length != 1) {
        sendException(seq, PyError.typeError("PING takes 1 argument, got " + args.length));
      } else {
        sendReply(seq, args[0]);
      }
      return;
    }
    if (handler == Handlers.JAVA_HELLO) {
      handleHello(seq, args);
      return;
    }
    Runnable serve = () -> serve(seq, handler, args);
    long chain = message.chain();
    if (!started) {
      synchronized (heldLock) {
        if (!started) {
          held.add(() -> dispatch(seq, chain, serve));
          return;
        }
      }
    }
    dispatch(seq, chain, serve);
  }

  /**
   * Runs a request of the peer: on the waiting thread of its chain if there is one, else on a
   * worker. At most {@code maxConcurrentRequests} requests of one connection hold workers at a time
   * (each may wait on the peer, and a peer must not be able to make the server start threads
   * without limit); the rest wait in order, up to {@link #MAX_QUEUED_REQUESTS}, beyond which they
   * are refused with an exception reply.
   */
  private void dispatch(long seq, long chain, Runnable serve) {
    CallChains.ChainTask task = new CallChains.ChainTask(chain, serve, executor);
    if (chain != 0 && CallChains.offer(chain, this, task)) {
      return;
    }
    Runnable bounded =
        () -> {
          try {
            task.run();
          } finally {
            runNextQueued();
          }
        };
    RpycException refusal;
    synchronized (dispatchLock) {
      if (runningRequests < config.maxConcurrentRequests()) {
        runningRequests++;
        refusal = null;
      } else if (queuedRequests.size() < MAX_QUEUED_REQUESTS) {
        queuedRequests.add(bounded);
        return;
      } else {
        refusal =
            new RpycException(
                "too many requests in flight on this connection ("
                    + runningRequests
                    + " running, "
                    + queuedRequests.size()
                    + " waiting)");
      }
    }
    if (refusal != null) {
      sendException(seq, refusal); // outside the lock: on the event loop this may write at once
      return;
    }
    try {
      executor.execute(bounded);
    } catch (RejectedExecutionException e) {
      synchronized (dispatchLock) {
        runningRequests--;
      }
      sendException(seq, new RpycException("the server is shutting down"));
    }
  }

  private void runNextQueued() {
    Runnable next;
    synchronized (dispatchLock) {
      next = queuedRequests.poll();
      if (next == null) {
        runningRequests--;
        return;
      }
    }
    try {
      executor.execute(next);
    } catch (RejectedExecutionException e) {
      synchronized (dispatchLock) {
        runningRequests--;
        queuedRequests.clear(); // shutting down: nobody will serve them
      }
    }
  }

  /**
   * The connection whose request the current thread is serving, or {@code null}: lets code running
   * on behalf of a peer (stdio redirection, per-connection state) find its connection.
   */
  public static ProtocolConnection current() {
    return SERVING.get();
  }

  private void serve(long seq, int handler, Object[] args) {
    inFlight.incrementAndGet();
    ProtocolConnection outer = SERVING.get();
    SERVING.set(this);
    try {
      Object result = handlers.handle(handler, args);
      sendReply(seq, result);
    } catch (Throwable t) {
      if (t instanceof VirtualMachineError) {
        log.error("{}: {} failed", this, Handlers.name(handler), t);
      } else {
        log.debug("{}: {} raised", this, Handlers.name(handler), t);
      }
      sendException(seq, t);
    } finally {
      SERVING.set(outer); // not remove(): the next get() would allocate the entry again
      inFlight.decrementAndGet();
    }
  }

  private void handleDel(long seq, Object boxedArgs) {
    try {
      Tuple args = tupleOf(boxedArgs, LABEL_TUPLE);
      if (args.size() < 1 || args.size() > 2) {
        throw PyError.typeError("DEL takes 1 or 2 arguments, got " + args.size());
      }
      Tuple ref = (Tuple) args.get(0);
      if (ref.size() != 2 || !Integer.valueOf(LABEL_LOCAL_REF).equals(ref.get(0))) {
        throw PyError.typeError("DEL needs an object of this side");
      }
      IdPack id = idPack(ref.get(1));
      long count = args.size() == 2 ? ((Number) unbox(args.get(1))).longValue() : 1;
      if (count < 1) {
        throw PyError.valueError("DEL needs a positive count, got " + count);
      }
      if (!exports.release(id, count)) {
        throw PyError.keyError(String.valueOf(id));
      }
      sendReply(seq, null);
    } catch (PyError e) {
      sendException(seq, e);
    } catch (RuntimeException e) {
      sendException(seq, PyError.typeError("malformed DEL: " + e));
    }
  }

  private void handleHello(long seq, Object[] args) {
    if (!config.javaExtensions()) {
      sendException(seq, PyError.keyError(String.valueOf(Handlers.JAVA_HELLO)));
      return;
    }
    if (args.length >= 4 && HELLO_MAGIC.equals(args[0]) && args[2] instanceof Tuple) {
      acceptFeatures((Tuple) args[2], args[3]);
    }
    sendReply(
        seq,
        Tuple.of(
            HELLO_MAGIC,
            EXTENSION_VERSION,
            FEATURES,
            config.maxFrameSize(),
            Runtime.version().toString()));
  }

  // ---------------------------------------------------------------- boxing

  /** Whether {@code o} travels by value to this peer (docs/values.md). */
  boolean isValue(Object o) {
    if (o == null
        || o instanceof String
        || o instanceof Integer
        || o instanceof Boolean
        || o instanceof Long
        || o instanceof Double
        || o instanceof byte[]
        || o instanceof Short
        || o instanceof Byte
        || o instanceof Float
        || o instanceof Character
        || o instanceof BigInteger) {
      return true;
    }
    if (o instanceof Tuple) {
      Tuple t = (Tuple) o;
      for (int i = 0; i < t.size(); i++) { // no iterator: this runs for every call's arguments
        if (!isValue(t.get(i))) {
          return false;
        }
      }
      return true;
    }
    if (o instanceof BigDecimal) {
      return javaPeer;
    }
    if (o instanceof PyValue) {
      if (o instanceof PyValue.Slice) {
        PyValue.Slice s = (PyValue.Slice) o;
        return isValue(s.start()) && isValue(s.stop()) && isValue(s.step());
      }
      if (o instanceof PyValue.FrozenSet) {
        for (Object item : ((PyValue.FrozenSet) o).items()) {
          if (!isValue(item)) {
            return false;
          }
        }
      }
      return true;
    }
    return false;
  }

  Object box(Object o) {
    if (isValue(o)) {
      return new Object[] {LABEL_VALUE, o};
    }
    if (o instanceof Tuple) {
      Tuple t = (Tuple) o;
      Object[] items = new Object[t.size()];
      for (int i = 0; i < items.length; i++) {
        items[i] = box(t.get(i));
      }
      return new Object[] {LABEL_TUPLE, items};
    }
    RemoteRef ref = proxies.unwrap(o);
    if (ref instanceof Netref && ((Netref) ref).conn == this) {
      return new Object[] {LABEL_LOCAL_REF, ((Netref) ref).id};
    }
    return new Object[] {LABEL_REMOTE_REF, exports.export(o)};
  }

  private Object boxArgs(Object[] args) {
    boolean allValues = true;
    for (Object a : args) {
      if (!isValue(a)) {
        allValues = false;
        break;
      }
    }
    if (allValues) {
      return new Object[] {LABEL_VALUE, args};
    }
    Object[] boxed = new Object[args.length];
    for (int i = 0; i < args.length; i++) {
      boxed[i] = box(args[i]);
    }
    return new Object[] {LABEL_TUPLE, boxed};
  }

  Object unbox(Object boxed) {
    if (!(boxed instanceof Tuple) || ((Tuple) boxed).size() != 2) {
      throw PyError.typeError("malformed boxed value: " + boxed);
    }
    Tuple t = (Tuple) boxed;
    Object label = t.get(0);
    Object payload = t.get(1);
    if (!(label instanceof Integer)) {
      throw PyError.typeError("malformed boxed value: label " + label);
    }
    switch ((Integer) label) {
      case LABEL_VALUE:
        return payload;
      case LABEL_TUPLE:
        {
          if (!(payload instanceof Tuple)) {
            throw PyError.typeError("malformed boxed tuple");
          }
          Tuple items = (Tuple) payload;
          Object[] out = new Object[items.size()];
          for (int i = 0; i < out.length; i++) {
            out[i] = unbox(items.get(i));
          }
          return Tuples.wrap(out);
        }
      case LABEL_LOCAL_REF:
        {
          IdPack id = idPack(payload);
          Object local = exports.lookup(id);
          if (local == null) {
            throw PyError.keyError("no object " + id + " is exported on this connection");
          }
          return local;
        }
      case LABEL_REMOTE_REF:
        return imports.arrive(idPack(payload));
      default:
        throw PyError.typeError("malformed boxed value: unknown label " + label);
    }
  }

  private Object[] unboxArgs(Object boxedArgs) {
    Object args = unbox(boxedArgs);
    if (!(args instanceof Tuple)) {
      throw PyError.typeError("request arguments must be a tuple");
    }
    return ((Tuple) args).toArray();
  }

  private static Tuple tupleOf(Object boxed, int label) {
    Tuple t = (Tuple) boxed;
    if (t.size() != 2 || !Integer.valueOf(label).equals(t.get(0))) {
      throw PyError.typeError("malformed arguments");
    }
    return (Tuple) t.get(1);
  }

  static IdPack idPack(Object value) {
    if (value instanceof Tuple && ((Tuple) value).size() == 3) {
      Tuple t = (Tuple) value;
      if (t.get(0) instanceof String && isLong(t.get(1)) && isLong(t.get(2))) {
        return new IdPack(
            (String) t.get(0), ((Number) t.get(1)).longValue(), ((Number) t.get(2)).longValue());
      }
    }
    throw PyError.typeError("malformed id_pack: " + value);
  }

  private static boolean isLong(Object v) {
    return v instanceof Integer || v instanceof Long;
  }

  // ---------------------------------------------------------------- typed proxies hook

  /** Installs the typed-proxy factory (Byte Buddy) for this connection. */
  public void setTypedProxies(TypedProxies proxies) {
    this.proxies = proxies;
  }

  /** The handle behind a handle or typed proxy, else {@code null}. */
  RemoteRef unwrap(Object o) {
    return proxies.unwrap(o);
  }

  boolean canProxy(Class<?> type) {
    return proxies.canProxy(type);
  }

  Object proxy(RemoteRef ref, Class<?> type) {
    return proxies.proxy(ref, type);
  }

  /**
   * What a value that arrived untyped becomes: a reference turns into its automatic typed proxy (or
   * stays a handle), a tuple has its references turned likewise, anything else is unchanged. Never
   * on an I/O thread: it may ask the peer for type information.
   */
  Object autoType(Object value) {
    if (value instanceof Netref) {
      return proxies.auto((Netref) value);
    }
    if (value instanceof Tuple) {
      Tuple t = (Tuple) value;
      Object[] items = null;
      for (int i = 0; i < t.size(); i++) {
        Object item = t.get(i);
        if (item instanceof Netref || item instanceof Tuple) {
          Object typed = autoType(item);
          if (typed != item) {
            if (items == null) {
              items = t.toArray();
            }
            items[i] = typed;
          }
        }
      }
      return items == null ? t : Tuple.of(items);
    }
    return value;
  }

  /**
   * The public interfaces of a remote object's class that are loadable here: from the local class
   * of that name if there is one, else (JVM peers) from the peer. Cached per remote class.
   */
  List<Class<?>> remoteInterfaces(Netref netref) {
    IdPack id = netref.id;
    String key = id.name() + "#" + id.classId();
    List<Class<?>> known = remoteTypes.get(key);
    if (known != null) {
      return known;
    }
    List<Class<?>> found = new ArrayList<>();
    Class<?> local = loadLocal(id.name());
    if (local != null) {
      for (Class<?> c : JavaMembers.hierarchy(local)) {
        if (c.isInterface()) {
          found.add(c);
        }
      }
    } else if (javaPeer) {
      Object names =
          syncRequest(Handlers.JAVA_TYPEINFO, new Object[] {netref}, config.syncRequestTimeout());
      if (names instanceof Tuple) {
        for (Object name : (Tuple) names) {
          Class<?> c = name instanceof String ? loadLocal((String) name) : null;
          if (c != null && c.isInterface()) {
            found.add(c);
          }
        }
      }
    }
    List<Class<?>> result = List.copyOf(found);
    remoteTypes.putIfAbsent(key, result);
    return result;
  }

  /** Loads a class of this JVM by name without initializing it, or {@code null}. */
  static Class<?> loadLocal(String name) {
    if (name.isEmpty() || name.startsWith("builtins.") || name.indexOf('/') >= 0) {
      return null; // Python classes; hidden classes (lambdas) are never loadable by name
    }
    ClassLoader context = Thread.currentThread().getContextClassLoader();
    for (ClassLoader loader :
        new ClassLoader[] {context, ProtocolConnection.class.getClassLoader()}) {
      if (loader == null) {
        continue;
      }
      try {
        return Class.forName(name, false, loader);
      } catch (ClassNotFoundException | LinkageError e) {
        // try the next loader
      }
    }
    return null;
  }

  /** The executor that serves the peer's requests and completes asynchronous results. */
  Executor executor() {
    return executor;
  }

  /** Where asynchronous results are completed, in the order their replies arrive. */
  Completions completions() {
    return completions;
  }

  // ---------------------------------------------------------------- Connection API

  @Override
  public RemoteRef root() {
    Netref r = root;
    if (r == null) {
      synchronized (this) {
        r = root;
        if (r == null) {
          Object value = syncRequest(Handlers.GETROOT, new Object[0], config.syncRequestTimeout());
          if (!(value instanceof Netref)) {
            throw new ProtocolViolationException("the peer's root is not an object: " + value);
          }
          root = r = (Netref) value;
        }
      }
    }
    return r;
  }

  @Override
  public <T> T root(Class<T> type) {
    return root().as(type);
  }

  @Override
  public void ping() {
    ping(config.syncRequestTimeout());
  }

  @Override
  public void ping(Duration timeout) {
    byte[] data = ("rpyc-java ping " + System.nanoTime()).getBytes(StandardCharsets.US_ASCII);
    Object echo = syncRequest(Handlers.PING, new Object[] {data}, timeout);
    if (!(echo instanceof byte[]) || !Arrays.equals(data, (byte[]) echo)) {
      throw new ProtocolViolationException("PING echo does not match");
    }
  }

  @Override
  public Service localService() {
    return service;
  }

  @Override
  public RpycConfig config() {
    return config;
  }

  @Override
  public Object credentials() {
    return credentials;
  }

  /** Records what the authenticator returned; before the connection starts. */
  public void setCredentials(Object credentials) {
    this.credentials = credentials;
  }

  @Override
  public boolean isJavaPeer() {
    return javaPeer;
  }

  @Override
  public SocketAddress localAddress() {
    return wire.localAddress();
  }

  @Override
  public SocketAddress remoteAddress() {
    return wire.remoteAddress();
  }

  @Override
  public boolean isClosed() {
    // done, not begun: once this says closed, the tables are empty and the calls failed
    return closeFuture.isDone();
  }

  @Override
  public ConnectionStats stats() {
    return new ConnectionStats(
        exports.size(), imports.size(), pending.size(), requestsSent.sum(), requestsServed.sum());
  }

  @Override
  public String toString() {
    return "Connection#"
        + id
        + "["
        + wire.localAddress()
        + " -> "
        + wire.remoteAddress()
        + (javaPeer ? ", java" : "")
        + (closed.get() ? ", closed" : "")
        + "]";
  }
}
