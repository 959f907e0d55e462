package io.rpyc.internal.proxy;

import io.rpyc.RemoteObject;
import io.rpyc.RemoteRef;
import io.rpyc.Tuple;
import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How a proxied method is carried out, worked out once per {@link Method}: answered locally ({@code
 * equals}, {@code hashCode}, {@code toString}, {@link RemoteObject}, {@link RemoteRef}'s own
 * methods, and iteration, which fetches in batches) or called remotely with its exact signature.
 */
final class CallPlan {
  /** Plans by method, stored on the declaring class itself so that no class loader is pinned. */
  private static final ClassValue<ConcurrentHashMap<Method, CallPlan>> PLANS =
      new ClassValue<>() {
        @Override
        protected ConcurrentHashMap<Method, CallPlan> computeValue(Class<?> type) {
          return new ConcurrentHashMap<>();
        }
      };

  enum Kind {
    REMOTE,
    EQUALS,
    HASH_CODE,
    TO_STRING,
    REMOTE_REF,
    REF_DELEGATE,
    ITERATOR,
    FOR_EACH,
    SPLITERATOR,
    STREAM
  }

  final Method method;
  final Kind kind;
  final String name;
  final Class<?>[] params;
  final Tuple signature;
  final Class<?> returnType;

  /** What the proxy returns while an asynchronous call is captured: null, false, zero. */
  final Object placeholder;

  final boolean sam;
  final boolean spreadVarargs;

  private CallPlan(Method method) {
    this.method = method;
    this.name = method.getName();
    this.params = method.getParameterTypes();
    this.returnType = method.getReturnType();
    this.placeholder = placeholder(returnType);
    Object[] names = new Object[params.length];
    for (int i = 0; i < params.length; i++) {
      names[i] = params[i].getName();
    }
    this.signature = Tuple.of(names);
    this.kind = kindOf(method);
    this.sam = isSingleAbstractMethod(method);
    this.spreadVarargs = method.isVarArgs();
  }

  static CallPlan of(Method method) {
    ConcurrentHashMap<Method, CallPlan> plans = PLANS.get(method.getDeclaringClass());
    CallPlan plan = plans.get(method);
    if (plan == null) {
      plan = plans.computeIfAbsent(method, CallPlan::new);
    }
    return plan;
  }

  private static Object placeholder(Class<?> type) {
    if (!type.isPrimitive() || type == void.class) {
      return null;
    }
    if (type == boolean.class) {
      return false;
    }
    if (type == char.class) {
      return (char) 0;
    }
    return Array.get(Array.newInstance(type, 1), 0); // the zero of that type, boxed
  }

  private static Kind kindOf(Method m) {
    Class<?> owner = m.getDeclaringClass();
    String name = m.getName();
    int arity = m.getParameterCount();
    if (owner == Object.class || !owner.isInterface() && isObjectMethod(m)) {
      switch (name) {
        case "equals":
          return Kind.EQUALS;
        case "hashCode":
          return Kind.HASH_CODE;
        case "toString":
          return Kind.TO_STRING;
        default:
          return Kind.REMOTE;
      }
    }
    if (owner == RemoteObject.class) {
      return Kind.REMOTE_REF;
    }
    boolean iterable = Iterable.class.isAssignableFrom(owner) || owner == RemoteRef.class;
    if (iterable && arity == 0) {
      switch (name) {
        case "iterator":
          return Kind.ITERATOR;
        case "spliterator":
          return Kind.SPLITERATOR;
        case "stream":
          if (Collection.class.isAssignableFrom(owner)) {
            return Kind.STREAM;
          }
          break;
        default:
          break;
      }
    }
    if (iterable && arity == 1 && name.equals("forEach") && m.isDefault()) {
      return Kind.FOR_EACH;
    }
    if (owner == RemoteRef.class) {
      return Kind.REF_DELEGATE;
    }
    return Kind.REMOTE;
  }

  private static boolean isObjectMethod(Method m) {
    try {
      Object.class.getMethod(m.getName(), m.getParameterTypes());
      return true;
    } catch (NoSuchMethodException e) {
      return false;
    }
  }

  /** Whether {@code m} is the single abstract method of a functional interface. */
  static boolean isSingleAbstractMethod(Method m) {
    Class<?> owner = m.getDeclaringClass();
    if (!owner.isInterface() || !Modifier.isAbstract(m.getModifiers())) {
      return false;
    }
    int count = 0;
    for (Method candidate : owner.getMethods()) {
      if (Modifier.isAbstract(candidate.getModifiers()) && !isObjectMethod(candidate)) {
        count++;
      }
    }
    return count == 1;
  }
}
