package io.rpyc.internal.protocol;

import io.rpyc.AsyncResult;
import io.rpyc.Connection;
import io.rpyc.RemoteInvocationException;
import io.rpyc.RemoteRef;
import io.rpyc.RpycException;
import io.rpyc.Tuple;
import io.rpyc.internal.codec.IdPack;
import io.rpyc.internal.transport.Transport;
import java.lang.reflect.Array;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link RemoteRef} implementation: a connection and an id_pack. The canonical instance for an
 * id_pack lives in the {@link ImportTable}; {@link #withTimeout} views hold it strongly so that it
 * outlives them, and so do the typed proxies made for it (cached here, so one remote object has one
 * proxy per type).
 */
public final class Netref implements RemoteRef {
  private static final Logger log = LoggerFactory.getLogger(Netref.class);

  /** First and largest iteration batch (items per BUFFITER). */
  static final int FIRST_BATCH = 16;

  static final int MAX_BATCH = 1 << 16;

  final ProtocolConnection conn;
  final IdPack id;
  private final Duration timeout;
  private final Netref canonical;
  private volatile Object autoProxy;
  private volatile Map<Class<?>, Object> views;

  Netref(ProtocolConnection conn, IdPack id) {
    this(conn, id, null, null);
  }

  private Netref(ProtocolConnection conn, IdPack id, Duration timeout, Netref canonical) {
    this.conn = conn;
    this.id = id;
    this.timeout = timeout;
    this.canonical = canonical;
  }

  private Duration timeout() {
    return timeout != null ? timeout : conn.config().syncRequestTimeout();
  }

  private Object request(int handler, Object... args) {
    return conn.syncRequest(handler, args, timeout());
  }

  /** The id_pack this handle names. */
  public IdPack idPack() {
    return id;
  }

  private Netref canonical() {
    return canonical != null ? canonical : this;
  }

  // ------------------------------------------------------------------ dynamic API

  @Override
  public Object call(String method, Object... args) {
    Objects.requireNonNull(method, "method");
    return conn.autoType(request(Handlers.CALLATTR, this, method, tuple(args), Tuple.of()));
  }

  @Override
  public <T> T call(Class<T> resultType, String method, Object... args) {
    Objects.requireNonNull(method, "method");
    return convertResult(
        request(Handlers.CALLATTR, this, method, tuple(args), Tuple.of()), resultType);
  }

  @Override
  public Object callWithKeywords(String method, List<?> args, Map<String, ?> kwargs) {
    List<Object> pairs = new ArrayList<>();
    new LinkedHashMap<>(kwargs).forEach((k, v) -> pairs.add(Tuple.of(k, v)));
    return conn.autoType(
        request(Handlers.CALLATTR, this, method, Tuple.copyOf(args), Tuple.copyOf(pairs)));
  }

  @Override
  public AsyncResult<Object> callAsync(String method, Object... args) {
    Objects.requireNonNull(method, "method");
    return async(
        Handlers.CALLATTR,
        new Object[] {this, method, tuple(args), Tuple.of()},
        false,
        conn::autoType);
  }

  @Override
  public void callOneway(String method, Object... args) {
    Objects.requireNonNull(method, "method");
    async(Handlers.CALLATTR, new Object[] {this, method, tuple(args), Tuple.of()}, true, v -> v);
  }

  @Override
  public Object invoke(Object... args) {
    return conn.autoType(request(Handlers.CALL, this, tuple(args), Tuple.of()));
  }

  @Override
  public Object getAttr(String name) {
    return conn.autoType(request(Handlers.GETATTR, this, name));
  }

  @Override
  public void setAttr(String name, Object value) {
    request(Handlers.SETATTR, this, name, value);
  }

  @Override
  public void delAttr(String name) {
    request(Handlers.DELATTR, this, name);
  }

  @Override
  public Object getItem(Object key) {
    return call("__getitem__", key);
  }

  @Override
  public void setItem(Object key, Object value) {
    request(Handlers.CALLATTR, this, "__setitem__", Tuple.of(key, value), Tuple.of());
  }

  @Override
  public int length() {
    Object n = request(Handlers.CALLATTR, this, "__len__", Tuple.of(), Tuple.of());
    if (!(n instanceof Number)) {
      throw new RpycException("__len__ returned " + n);
    }
    return ((Number) n).intValue();
  }

  @Override
  public Iterator<Object> iterator() {
    return iterator(FIRST_BATCH);
  }

  private Iterator<Object> iterator(int firstBatch) {
    Object it = request(Handlers.CALLATTR, this, "__iter__", Tuple.of(), Tuple.of());
    if (!(it instanceof Netref)) {
      if (it instanceof Iterable) {
        @SuppressWarnings("unchecked")
        Iterator<Object> local = ((Iterable<Object>) it).iterator();
        return local;
      }
      throw new RpycException("__iter__ returned " + it);
    }
    return new BatchIterator((Netref) it, firstBatch);
  }

  /** Fetches items with BUFFITER in batches that double up to {@link #MAX_BATCH}. */
  private static final class BatchIterator implements Iterator<Object> {
    private static final Object NULL = new Object();

    private final Netref remote;
    private final ArrayDeque<Object> buffer = new ArrayDeque<>();
    private int batch;
    private boolean exhausted;

    BatchIterator(Netref remote, int firstBatch) {
      this.remote = remote;
      this.batch = firstBatch;
    }

    @Override
    public boolean hasNext() {
      if (buffer.isEmpty() && !exhausted) {
        Object items = remote.request(Handlers.BUFFITER, remote, batch);
        if (!(items instanceof Tuple)) {
          throw new RpycException("BUFFITER returned " + items);
        }
        Tuple t = (Tuple) items;
        for (Object item : t) {
          buffer.add(item == null ? NULL : item); // ArrayDeque refuses nulls
        }
        exhausted = t.size() < batch;
        batch = Math.min(MAX_BATCH, batch * 2);
      }
      return !buffer.isEmpty();
    }

    @Override
    public Object next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      Object item = buffer.poll();
      return item == NULL ? null : remote.conn.autoType(item);
    }
  }

  @Override
  public String repr() {
    return String.valueOf(request(Handlers.REPR, this));
  }

  @Override
  public List<String> dir() {
    Object names = request(Handlers.DIR, this);
    List<String> out = new ArrayList<>();
    if (names instanceof Tuple) {
      for (Object n : (Tuple) names) {
        out.add(String.valueOf(n));
      }
    }
    return out;
  }

  @Override
  public String remoteClassName() {
    return id.name();
  }

  @Override
  public boolean isRemoteClass() {
    return id.isClass();
  }

  @Override
  public Connection connection() {
    return conn;
  }

  @Override
  public RemoteRef withTimeout(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive: " + timeout);
    }
    return new Netref(conn, id, timeout, canonical());
  }

  @Override
  public <T> T as(Class<T> type) {
    Objects.requireNonNull(type, "type");
    return type.cast(conn.proxy(this, type));
  }

  // ------------------------------------------------------------------ for typed proxies

  /**
   * Calls a method by its exact signature (JVM peers), or by name (Python peers; a functional
   * interface's method by calling the object itself). Returns the raw result.
   */
  public Object callExact(String name, Tuple signature, Object[] args, boolean sam) {
    return conn.syncRequest(exactHandler(sam), exactArgs(name, signature, args, sam), timeout());
  }

  /**
   * Like {@link #callExact}, without waiting; {@code convert} turns the raw result into the value.
   */
  public AsyncResult<Object> callExactAsync(
      String name,
      Tuple signature,
      Object[] args,
      boolean sam,
      boolean oneway,
      Function<Object, Object> convert) {
    return async(exactHandler(sam), exactArgs(name, signature, args, sam), oneway, convert);
  }

  private int exactHandler(boolean sam) {
    if (conn.isJavaPeer()) {
      return Handlers.JAVA_CALLSIG;
    }
    return sam && isPythonCallable() ? Handlers.CALL : Handlers.CALLATTR;
  }

  private Object[] exactArgs(String name, Tuple signature, Object[] args, boolean sam) {
    if (conn.isJavaPeer()) {
      return new Object[] {this, name, signature, tuple(args), sam ? 1 : 0};
    }
    return sam && isPythonCallable()
        ? new Object[] {this, tuple(args), Tuple.of()}
        : new Object[] {this, name, tuple(args), Tuple.of()};
  }

  /**
   * Whether a Python peer's object is a function rather than an object with methods: a functional
   * interface's method is then the function itself.
   */
  private boolean isPythonCallable() {
    switch (id.name()) {
      case "builtins.function":
      case "builtins.method":
      case "builtins.builtin_function_or_method":
      case "builtins.method-wrapper":
      case "functools.partial":
        return true;
      default:
        return false;
    }
  }

  private AsyncResult<Object> async(
      int handler, Object[] args, boolean oneway, Function<Object, Object> convert) {
    AsyncResult<Object> result = new AsyncResult<>(conn.executor());
    PendingCall call = conn.asyncRequest(handler, args);
    call.onDone((value, error) -> conn.completions().complete(result, convert, value, error));
    result.whenComplete(
        (v, e) -> {
          if (result.isExpired()) {
            conn.abandon(call);
          } else if (oneway && e != null) {
            log.warn("oneway call {} on {} failed", describe(handler, args), id.name(), e);
          }
        });
    return result;
  }

  private static String describe(int handler, Object[] args) {
    return args.length > 1 && args[1] instanceof String ? (String) args[1] : Handlers.name(handler);
  }

  /** Converts a raw result to {@code type} (numbers that fit, references to typed proxies). */
  public <T> T convertResult(Object value, Class<T> type) {
    return ResultConversion.convert(conn, value, type);
  }

  /** Turns references in a raw value into their automatic typed proxies. */
  public Object autoType(Object value) {
    return conn.autoType(value);
  }

  /** The public interfaces of the remote object's class that are loadable here. */
  public List<Class<?>> remoteInterfaces() {
    return conn.remoteInterfaces(this);
  }

  /** The automatic proxy, created once by {@code factory}. */
  public Object autoProxy(Supplier<Object> factory) {
    Netref owner = canonical();
    Object proxy = owner.autoProxy;
    if (proxy == null) {
      synchronized (owner) {
        proxy = owner.autoProxy;
        if (proxy == null) {
          owner.autoProxy = proxy = factory.get();
        }
      }
    }
    return proxy;
  }

  /** The proxy of {@code type}, created once by {@code factory}. */
  public Object view(Class<?> type, Supplier<Object> factory) {
    Netref owner = canonical();
    Map<Class<?>, Object> map = owner.views;
    if (map == null) {
      synchronized (owner) {
        map = owner.views;
        if (map == null) {
          owner.views = map = new ConcurrentHashMap<>();
        }
      }
    }
    Object proxy = map.get(type);
    if (proxy == null) {
      proxy = factory.get();
      Object raced = map.putIfAbsent(type, proxy);
      if (raced != null) {
        proxy = raced;
      }
    }
    return proxy;
  }

  /**
   * A local copy of the remote collection, map or array: one round trip with a JVM peer; with a
   * Python peer the items are fetched in large batches. Items that are objects stay references.
   */
  public Object obtain() {
    if (conn.isJavaPeer()) {
      Object reply = request(Handlers.JAVA_OBTAIN, this);
      if (!(reply instanceof Tuple) || ((Tuple) reply).size() != 3) {
        throw new RpycException("malformed OBTAIN reply: " + reply);
      }
      Tuple t = (Tuple) reply;
      return build(String.valueOf(t.get(0)), String.valueOf(t.get(1)), (Tuple) t.get(2));
    }
    String name = id.name();
    if (name.equals("builtins.dict")) {
      Map<Object, Object> map = new LinkedHashMap<>();
      Object items = request(Handlers.CALLATTR, this, "items", Tuple.of(), Tuple.of());
      Iterator<Object> it = ((Netref) items).iterator(MAX_BATCH);
      while (it.hasNext()) {
        Tuple pair = (Tuple) it.next();
        map.put(pair.get(0), pair.get(1));
      }
      return map;
    }
    List<Object> items = new ArrayList<>();
    iterator(MAX_BATCH).forEachRemaining(items::add);
    if (name.equals("builtins.set") || name.equals("builtins.frozenset")) {
      return new LinkedHashSet<>(items);
    }
    return items;
  }

  private Object build(String kind, String component, Tuple items) {
    switch (kind) {
      case "map":
        {
          Map<Object, Object> map = new LinkedHashMap<>();
          for (Object pair : items) {
            Tuple p = (Tuple) pair;
            map.put(conn.autoType(p.get(0)), conn.autoType(p.get(1)));
          }
          return map;
        }
      case "set":
        {
          Set<Object> set = new LinkedHashSet<>();
          for (Object item : items) {
            set.add(conn.autoType(item));
          }
          return set;
        }
      case "array":
        {
          Class<?> type = componentType(component);
          Object array = Array.newInstance(type, items.size());
          for (int i = 0; i < items.size(); i++) {
            Object item = items.get(i);
            Array.set(
                array, i, type.isPrimitive() ? convertResult(item, type) : conn.autoType(item));
          }
          return array;
        }
      default:
        {
          List<Object> list = new ArrayList<>(items.size());
          for (Object item : items) {
            list.add(conn.autoType(item));
          }
          return list;
        }
    }
  }

  private static Class<?> componentType(String name) {
    switch (name) {
      case "int":
        return int.class;
      case "long":
        return long.class;
      case "double":
        return double.class;
      case "float":
        return float.class;
      case "short":
        return short.class;
      case "byte":
        return byte.class;
      case "char":
        return char.class;
      case "boolean":
        return boolean.class;
      default:
        Class<?> c = ProtocolConnection.loadLocal(name);
        return c != null ? c : Object.class;
    }
  }

  // ------------------------------------------------------------------ Object

  @Override
  public boolean equals(Object o) {
    if (o == this) {
      return true;
    }
    RemoteRef other = conn.unwrap(o);
    if (other instanceof Netref) {
      Netref n = (Netref) other;
      if (n.conn != conn) {
        return false;
      }
      if (n.id.equals(id)) {
        return true;
      }
    } else if (other != null || !conn.isValue(o)) {
      return false; // comparing would export a local object to the peer
    }
    Object result = request(Handlers.CMP, this, other != null ? other : o, "__eq__");
    return Boolean.TRUE.equals(result);
  }

  @Override
  public int hashCode() {
    Object h = request(Handlers.HASH, this);
    if (!(h instanceof Number)) {
      throw new RpycException("HASH returned " + h);
    }
    return ((Number) h).intValue();
  }

  @Override
  public String toString() {
    if (!conn.isClosed() && !Transport.isIoThread()) {
      try {
        return String.valueOf(request(Handlers.STR, this));
      } catch (RemoteInvocationException e) {
        // fall through to the local description
      } catch (RpycException e) {
        // idem: toString must not throw
      }
    }
    return "RemoteRef["
        + id.name()
        + "#"
        + id.instanceId()
        + (conn.isClosed() ? ", closed" : "")
        + "]";
  }

  private static Tuple tuple(Object[] args) {
    return args == null || args.length == 0 ? Tuple.of() : Tuple.of(args);
  }
}
