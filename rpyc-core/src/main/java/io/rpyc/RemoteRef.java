package io.rpyc;

import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A dynamic handle to an object that lives on the other side of a connection (RPyC's netref).
 * Everything done through it runs remotely, one round trip per operation, and is subject to the
 * owner's access rules ({@code docs/services.md}).
 *
 * <pre>{@code
 * RemoteRef list = conn.root().call("newList");     // the peer returns a java.util.ArrayList
 * list.call("add", "x");
 * int n = list.length();                             // 1
 * for (Object item : list) { ... }                   // fetched in growing batches
 * }</pre>
 *
 * <p><b>Overloads.</b> {@link #call} picks among the remote methods of that name the one whose
 * parameters fit the arguments' runtime types best; the rule is in {@code docs/remote-ref.md}. With
 * a JVM peer the exact primitive types travel ({@code short} stays {@code short}).
 *
 * <p><b>Identity.</b> Two handles to the same remote object on the same connection are the same
 * {@code RemoteRef} instance while either is reachable. {@link #equals} is {@code true} for the
 * same handle and otherwise asks the peer ({@code __eq__}, i.e. {@code equals} on a JVM peer);
 * {@link #hashCode} asks the peer; both throw an {@link RpycException} when the connection is down.
 * {@link #toString} asks the peer for the object's {@code toString()} (Python's {@code str}) and
 * never throws: it falls back to a local description.
 *
 * <p><b>Lifetime.</b> The remote object stays alive while this handle is reachable; when it is
 * garbage-collected, the peer is told to release the object (RPyC's DEL).
 *
 * <p>Thread-safe.
 */
public interface RemoteRef extends Iterable<Object> {

  /**
   * Calls a method of the remote object (of a remote class: a static method) in one round trip.
   *
   * @return the result: a value, or for a by-reference result a typed proxy implementing the public
   *     interfaces of its remote class that are loadable here (and {@code RemoteRef}), or a plain
   *     {@code RemoteRef} when none is
   * @throws RemoteInvocationException if the remote method throws or the access is refused
   */
  Object call(String method, Object... args);

  /**
   * Calls a method and converts the result to {@code resultType}: numbers are converted when the
   * value fits, references become {@linkplain #as typed proxies} for interface types.
   */
  <T> T call(Class<T> resultType, String method, Object... args);

  /**
   * Calls a method without waiting: the result arrives in the returned {@link AsyncResult} (RPyC's
   * {@code async_}).
   */
  AsyncResult<Object> callAsync(String method, Object... args);

  /**
   * Calls a method and does not wait for or look at its result; a remote exception is only logged.
   */
  void callOneway(String method, Object... args);

  /**
   * Calls a method with Python keyword arguments; for Python peers (a JVM peer refuses keywords).
   */
  Object callWithKeywords(String method, List<?> args, Map<String, ?> kwargs);

  /**
   * Calls the remote object itself (RPyC's {@code HANDLE_CALL}): a remote function or bound method,
   * the single abstract method of a remote lambda, or a remote class's constructor.
   */
  Object invoke(Object... args);

  /** Reads an attribute: a field's value, or a bound method as a {@code RemoteRef}. */
  Object getAttr(String name);

  /** Assigns a field (needs the owner's {@code allowSetattr}). */
  void setAttr(String name, Object value);

  /** Deletes an attribute (Python peers; JVM objects refuse). */
  void delAttr(String name);

  /** {@code obj[key]}: an array element, a {@code List} index, a {@code Map} key. */
  Object getItem(Object key);

  /** {@code obj[key] = value}. */
  void setItem(Object key, Object value);

  /** {@code len(obj)}: array length, collection or map size, string length. */
  int length();

  /**
   * Iterates the remote object (an {@code Iterable}, array, map's keys, or iterator), fetching
   * items in batches that double in size, so {@code n} items cost about {@code log2(n)} round
   * trips.
   */
  @Override
  Iterator<Object> iterator();

  /** The remote {@code repr()} (a JVM peer answers {@code toString()}). */
  String repr();

  /** The names the owner lets this side use on the object. */
  List<String> dir();

  /** The remote object's class name as its owner reports it, e.g. {@code java.util.ArrayList}. */
  String remoteClassName();

  /** Whether the handle names a class (its static members and constructors are then reachable). */
  boolean isRemoteClass();

  /** The connection the remote object is reached through. */
  Connection connection();

  /** A view of this handle whose synchronous calls use {@code timeout} instead of the default. */
  RemoteRef withTimeout(Duration timeout);

  /**
   * A typed proxy of {@code type} whose methods run remotely on this object: an interface, or a
   * non-final class with no final methods (instantiated without running a constructor). See {@code
   * docs/typed-proxies.md}.
   *
   * @throws RpycException if {@code type} cannot be proxied (the message says what to do instead)
   */
  <T> T as(Class<T> type);
}
