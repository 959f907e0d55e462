package io.rpyc.internal.proxy;

import io.rpyc.AsyncResult;
import io.rpyc.RemoteRef;
import io.rpyc.Tuple;
import io.rpyc.internal.protocol.Netref;
import java.lang.reflect.Array;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Iterator;
import java.util.Spliterators;
import java.util.function.Consumer;
import java.util.stream.StreamSupport;

/**
 * The per-instance handler of a typed proxy: carries out each method according to its {@link
 * CallPlan}. Remote calls send the static signature, so the remote side runs exactly the method the
 * caller's code named (overloads, primitives vs boxes, varargs, generics, default methods); array
 * arguments and results travel as copies.
 */
final class ProxyHandler implements InvocationHandler {
  private static final Object[] NO_ARGS = {};

  private final Netref ref;

  ProxyHandler(Netref ref) {
    this.ref = ref;
  }

  @Override
  public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
    CallPlan plan = CallPlan.of(method);
    Object[] a = args == null ? NO_ARGS : args;
    switch (plan.kind) {
      case EQUALS:
        {
          Object other = a[0];
          if (other == proxy) {
            return true;
          }
          RemoteRef otherRef = ByteBuddyProxies.INSTANCE.unwrap(other);
          return ref.equals(otherRef != null ? otherRef : other);
        }
      case HASH_CODE:
        return ref.hashCode();
      case TO_STRING:
        return ref.toString();
      case REMOTE_REF:
        return ref;
      case REF_DELEGATE:
        try {
          return method.invoke(ref, a);
        } catch (InvocationTargetException e) {
          throw e.getCause();
        }
      case ITERATOR:
        return ref.iterator();
      case FOR_EACH:
        {
          @SuppressWarnings("unchecked")
          Consumer<Object> action = (Consumer<Object>) a[0];
          Iterator<Object> it = ref.iterator();
          while (it.hasNext()) {
            action.accept(it.next());
          }
          return null;
        }
      case SPLITERATOR:
        return Spliterators.spliteratorUnknownSize(ref.iterator(), 0);
      case STREAM:
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(ref.iterator(), 0), false);
      default:
        return remote(plan, a);
    }
  }

  private Object remote(CallPlan plan, Object[] args) {
    Object[] wire = toWire(args);
    if (plan.spreadVarargs && !ref.connection().isJavaPeer()) {
      wire = spread(wire);
    }
    AsyncCapture capture = AsyncCapture.current();
    if (capture != null) {
      AsyncResult<Object> result =
          ref.callExactAsync(
              plan.name,
              plan.signature,
              wire,
              plan.sam,
              capture.oneway(),
              raw -> convert(raw, plan));
      capture.record(result);
      return plan.placeholder;
    }
    return convert(ref.callExact(plan.name, plan.signature, wire, plan.sam), plan);
  }

  /** Arrays (other than {@code byte[]}) travel as tuples: copies, as for {@code byte[]}. */
  private static Object[] toWire(Object[] args) {
    Object[] out = null;
    for (int i = 0; i < args.length; i++) {
      Object a = args[i];
      if (a != null && a.getClass().isArray() && !(a instanceof byte[])) {
        if (out == null) {
          out = args.clone();
        }
        out[i] = arrayToTuple(a);
      }
    }
    return out == null ? args : out;
  }

  static Tuple arrayToTuple(Object array) {
    Object[] items = new Object[Array.getLength(array)];
    for (int i = 0; i < items.length; i++) {
      Object item = Array.get(array, i);
      items[i] =
          item != null && item.getClass().isArray() && !(item instanceof byte[])
              ? arrayToTuple(item)
              : item;
    }
    return Tuple.of(items);
  }

  /** For Python peers, a varargs array becomes separate arguments (Python's {@code *args}). */
  private static Object[] spread(Object[] wire) {
    if (wire.length == 0 || !(wire[wire.length - 1] instanceof Tuple)) {
      return wire;
    }
    Tuple rest = (Tuple) wire[wire.length - 1];
    Object[] out = new Object[wire.length - 1 + rest.size()];
    System.arraycopy(wire, 0, out, 0, wire.length - 1);
    for (int i = 0; i < rest.size(); i++) {
      out[wire.length - 1 + i] = rest.get(i);
    }
    return out;
  }

  private Object convert(Object raw, CallPlan plan) {
    Class<?> type = plan.returnType;
    if (type == void.class) {
      return null;
    }
    if (raw instanceof Netref) {
      Netref n = (Netref) raw;
      if (type == RemoteRef.class || type == Netref.class) {
        return n;
      }
      if (type.isArray()) {
        return ref.convertResult(n.obtain(), type);
      }
      if (type == Object.class) {
        return ByteBuddyProxies.INSTANCE.auto(n);
      }
      return ByteBuddyProxies.INSTANCE.typed(n, type);
    }
    if (type == Object.class) {
      return ref.autoType(raw);
    }
    return ref.convertResult(raw, type);
  }
}
