package io.rpyc.internal.protocol;

import io.rpyc.Connection;
import io.rpyc.RemoteInvocationException;
import io.rpyc.RemoteRef;
import io.rpyc.RpycException;
import io.rpyc.Tuple;
import io.rpyc.internal.codec.IdPack;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * The {@link RemoteRef} implementation: a connection and an id_pack. The canonical instance for an
 * id_pack lives in the {@link ImportTable}; {@link #withTimeout} views hold it strongly so that it
 * outlives them.
 */
public final class Netref implements RemoteRef {
  /** First and largest iteration batch (items per BUFFITER). */
  static final int FIRST_BATCH = 16;

  static final int MAX_BATCH = 1 << 16;

  final ProtocolConnection conn;
  final IdPack id;
  private final Duration timeout;
  private final Netref canonical;

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

  @Override
  public Object call(String method, Object... args) {
    Objects.requireNonNull(method, "method");
    return request(Handlers.CALLATTR, this, method, tuple(args), Tuple.of());
  }

  @Override
  public <T> T call(Class<T> resultType, String method, Object... args) {
    return ResultConversion.convert(conn, call(method, args), resultType);
  }

  @Override
  public Object callWithKeywords(String method, List<?> args, Map<String, ?> kwargs) {
    List<Object> pairs = new ArrayList<>();
    new LinkedHashMap<>(kwargs).forEach((k, v) -> pairs.add(Tuple.of(k, v)));
    return request(Handlers.CALLATTR, this, method, Tuple.copyOf(args), Tuple.copyOf(pairs));
  }

  @Override
  public Object invoke(Object... args) {
    return request(Handlers.CALL, this, tuple(args), Tuple.of());
  }

  @Override
  public Object getAttr(String name) {
    return request(Handlers.GETATTR, this, name);
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
    call("__setitem__", key, value);
  }

  @Override
  public int length() {
    Object n = call("__len__");
    if (!(n instanceof Number)) {
      throw new RpycException("__len__ returned " + n);
    }
    return ((Number) n).intValue();
  }

  @Override
  public Iterator<Object> iterator() {
    Object it = call("__iter__");
    if (!(it instanceof Netref)) {
      if (it instanceof Iterable) {
        @SuppressWarnings("unchecked")
        Iterator<Object> local = ((Iterable<Object>) it).iterator();
        return local;
      }
      throw new RpycException("__iter__ returned " + it);
    }
    return new BatchIterator((Netref) it);
  }

  /** Fetches items with BUFFITER in batches that double up to {@link #MAX_BATCH}. */
  private static final class BatchIterator implements Iterator<Object> {
    private final Netref remote;
    private final ArrayDeque<Object> buffer = new ArrayDeque<>();
    private int batch = FIRST_BATCH;
    private boolean exhausted;

    BatchIterator(Netref remote) {
      this.remote = remote;
    }

    @Override
    public boolean hasNext() {
      if (buffer.isEmpty() && !exhausted) {
        Object items = remote.request(Handlers.BUFFITER, remote, batch);
        if (!(items instanceof Tuple)) {
          throw new RpycException("BUFFITER returned " + items);
        }
        Tuple t = (Tuple) items;
        // a null item is legal; ArrayDeque refuses nulls, so wrap them
        for (Object item : t) {
          buffer.add(item == null ? NULL : item);
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
      return item == NULL ? null : item;
    }

    private static final Object NULL = new Object();
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
    return new Netref(conn, id, timeout, canonical != null ? canonical : this);
  }

  @Override
  public <T> T as(Class<T> type) {
    return type.cast(conn.proxy(this, type));
  }

  @Override
  public boolean equals(Object o) {
    if (o == this) {
      return true;
    }
    RemoteRef other = o instanceof RemoteRef ? (RemoteRef) o : null;
    if (other instanceof Netref) {
      Netref n = (Netref) other;
      if (n.conn != conn) {
        return false;
      }
      if (n.id.equals(id)) {
        return true;
      }
    } else if (!conn.isValue(o)) {
      return false; // comparing would export a local object to the peer
    }
    Object result = request(Handlers.CMP, this, o, "__eq__");
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
    if (!conn.isClosed() && !io.rpyc.internal.transport.Transport.isIoThread()) {
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
