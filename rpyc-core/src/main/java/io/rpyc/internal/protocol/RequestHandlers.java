package io.rpyc.internal.protocol;

import io.rpyc.PyValue;
import io.rpyc.RemoteRef;
import io.rpyc.Tuple;
import io.rpyc.internal.codec.IdPack;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Java meaning of RPyC's request handlers, run on a worker thread for each request of the peer
 * (PING, DEL, CLOSE and the extension handshake are answered by {@link ProtocolConnection} itself).
 * The table is in {@code docs/protocol.md}.
 */
final class RequestHandlers {
  /** The largest batch one BUFFITER may ask for. */
  static final int MAX_BUFFITER = 1 << 17;

  /** The most items JAVA_OBTAIN collects from an {@code Iterable} that is not a collection. */
  static final int MAX_OBTAIN = 1 << 22;

  private static final ClassValue<List<Method>> FUNCTIONAL_METHODS =
      new ClassValue<>() {
        @Override
        protected List<Method> computeValue(Class<?> type) {
          return functionalMethods(type);
        }
      };

  private final ProtocolConnection conn;
  private final AccessPolicy policy;

  RequestHandlers(ProtocolConnection conn) {
    this.conn = conn;
    this.policy = conn.policy;
  }

  Object handle(int handler, Object[] a) throws Throwable {
    switch (handler) {
      case Handlers.GETROOT:
        arity(handler, a, 0, 0);
        return conn.localService();
      case Handlers.GETATTR:
        arity(handler, a, 2, 2);
        return getattr(a[0], name(a[1]));
      case Handlers.DELATTR:
        arity(handler, a, 2, 2);
        return delattr(a[0], name(a[1]));
      case Handlers.SETATTR:
        arity(handler, a, 3, 3);
        setattr(a[0], name(a[1]), a[2]);
        return null;
      case Handlers.CALL:
        arity(handler, a, 2, 3);
        noKeywords(a.length > 2 ? a[2] : null);
        return call(a[0], args(a[1]));
      case Handlers.CALLATTR:
        arity(handler, a, 3, 4);
        noKeywords(a.length > 3 ? a[3] : null);
        return callattr(a[0], name(a[1]), args(a[2]));
      case Handlers.REPR:
        arity(handler, a, 1, 1);
        return a[0] instanceof RemoteRef ? ((RemoteRef) a[0]).repr() : Dunders.repr(a[0]);
      case Handlers.STR:
        arity(handler, a, 1, 1);
        return String.valueOf(a[0]);
      case Handlers.CMP:
        arity(handler, a, 2, 3);
        return cmp(a[0], a[1], a.length > 2 ? name(a[2]) : "__cmp__");
      case Handlers.HASH:
        arity(handler, a, 1, 1);
        return a[0] == null ? 0 : a[0].hashCode();
      case Handlers.DIR:
        arity(handler, a, 1, 1);
        return Tuple.copyOf(names(a[0]));
      case Handlers.PICKLE:
        throw PyError.valueError(
            "pickling is disabled: rpyc-java never puts serialized objects on the wire");
      case Handlers.INSPECT:
        arity(handler, a, 1, 1);
        return inspect(a[0]);
      case Handlers.BUFFITER:
        arity(handler, a, 2, 2);
        return buffiter(a[0], a[1]);
      case Handlers.OLDSLICING:
        arity(handler, a, 6, 6);
        return oldslicing(a[0], name(a[1]), a[3], a[4]);
      case Handlers.CTXEXIT:
        arity(handler, a, 2, 2);
        if (!policy.isAllowedDunder(a[0], "__exit__")) {
          throw PyError.cannotAccess("__exit__");
        }
        return Dunders.call(conn, a[0], "__exit__", new Object[0]);
      case Handlers.INSTANCECHECK:
        arity(handler, a, 2, 2);
        return instancecheck(a[0], a[1]);
      case Handlers.JAVA_CALLSIG:
        arity(handler, a, 5, 5);
        return callsig(a[0], name(a[1]), a[2], args(a[3]), a[4]);
      case Handlers.JAVA_TYPEINFO:
        arity(handler, a, 1, 1);
        return typeinfo(a[0]);
      case Handlers.JAVA_OBTAIN:
        arity(handler, a, 1, 1);
        return obtain(a[0]);
      default:
        throw PyError.keyError(String.valueOf(handler));
    }
  }

  private static void arity(int handler, Object[] a, int min, int max) {
    if (a.length < min || a.length > max) {
      String expected = min == max ? String.valueOf(min) : min + " to " + max;
      throw PyError.typeError(
          Handlers.name(handler) + " takes " + expected + " arguments (" + a.length + " given)");
    }
  }

  private static String name(Object o) {
    if (o instanceof String) {
      return (String) o;
    }
    if (o instanceof byte[]) {
      return new String((byte[]) o, StandardCharsets.UTF_8);
    }
    throw PyError.typeError("attribute name must be a string, not " + Conversions.typeName(o));
  }

  private static Object[] args(Object o) {
    if (o == null) {
      return new Object[0];
    }
    if (!(o instanceof Tuple)) {
      throw PyError.typeError("call arguments must be a tuple, not " + Conversions.typeName(o));
    }
    return ((Tuple) o).toArray();
  }

  private static void noKeywords(Object kwargs) {
    if (kwargs == null) {
      return;
    }
    if (kwargs instanceof Tuple && ((Tuple) kwargs).isEmpty()) {
      return;
    }
    if (kwargs instanceof Map && ((Map<?, ?>) kwargs).isEmpty()) {
      return;
    }
    throw PyError.typeError("Java methods take no keyword arguments");
  }

  // ------------------------------------------------------------------ attributes

  private Object getattr(Object target, String name) throws Throwable {
    if (target instanceof RemoteRef) {
      return ((RemoteRef) target).getAttr(name); // a handle re-exported to a third party
    }
    Object dynamic = dynamicAttribute(target, name);
    if (dynamic != DynamicAttributes.NOT_FOUND) {
      return dynamic;
    }
    if (Dunders.isDunder(name)) {
      if (!policy.isAllowedDunder(target, name)) {
        throw PyError.cannotAccess(name);
      }
      return "__doc__".equals(name) ? null : new BoundMethod(target, name, List.of(), true);
    }
    AccessPolicy.Members m = policy.resolve(target, name);
    if (m.field != null) {
      return m.field.get(Modifier.isStatic(m.field.getModifiers()) ? null : m.receiver);
    }
    if (!m.methods.isEmpty()) {
      return new BoundMethod(m.receiver, name, m.methods, false);
    }
    return m.nested;
  }

  private Object delattr(Object target, String name) {
    if (!conn.config().allowDelattr()) {
      throw PyError.cannotAccess(name);
    }
    throw PyError.attributeError("Java objects have no deletable attributes ('" + name + "')");
  }

  private void setattr(Object target, String name, Object value) throws Throwable {
    if (target instanceof RemoteRef) {
      ((RemoteRef) target).setAttr(name, value);
      return;
    }
    Field field = policy.resolveField(target, name);
    Class<?> type = field.getType();
    if (Conversions.cost(value, type, conn) == Conversions.NO) {
      throw PyError.typeError(
          "cannot assign "
              + Conversions.typeName(value)
              + " to field '"
              + name
              + "' of type "
              + type.getName());
    }
    Object owner = target instanceof Restricted ? ((Restricted) target).target() : target;
    field.set(
        Modifier.isStatic(field.getModifiers()) ? null : owner,
        Conversions.convert(value, type, conn));
  }

  // ------------------------------------------------------------------ calls

  Object call(Object target, Object[] args) throws Throwable {
    if (target instanceof RemoteRef) {
      return ((RemoteRef) target).invoke(args);
    }
    if (!policy.mayCall(target)) {
      throw PyError.cannotAccess("__call__");
    }
    if (target instanceof BoundMethod) {
      BoundMethod bm = (BoundMethod) target;
      if (bm.dunder) {
        return "__call__".equals(bm.name)
            ? call(bm.receiver, args)
            : Dunders.call(conn, bm.receiver, bm.name, args);
      }
      return Invoker.invoke(conn, bm.receiver, bm.name, bm.candidates, args);
    }
    if (target instanceof Class) {
      Class<?> type = (Class<?>) target;
      if (type.isInterface() || Modifier.isAbstract(type.getModifiers())) {
        throw PyError.typeError("cannot instantiate " + type.getName());
      }
      return Invoker.invoke(
          conn, null, type.getName(), JavaMembers.of(type).constructors(true), args);
    }
    List<Method> functional =
        callCandidates(policy.callable(target, FUNCTIONAL_METHODS.get(target.getClass())));
    if (functional.isEmpty()) {
      throw PyError.typeError("'" + target.getClass().getName() + "' object is not callable");
    }
    return Invoker.invoke(conn, target, functional.get(0).getName(), functional, args);
  }

  private Object callattr(Object target, String name, Object[] args) throws Throwable {
    if (target instanceof RemoteRef) {
      return ((RemoteRef) target).call(name, args);
    }
    Object dynamic = dynamicAttribute(target, name);
    if (dynamic != DynamicAttributes.NOT_FOUND) {
      return call(dynamic, args);
    }
    if (Dunders.isDunder(name)) {
      if (!policy.isAllowedDunder(target, name)) {
        throw PyError.cannotAccess(name);
      }
      return "__call__".equals(name) ? call(target, args) : Dunders.call(conn, target, name, args);
    }
    AccessPolicy.Members m = policy.resolve(target, name);
    if (!m.methods.isEmpty()) {
      return Invoker.invoke(conn, m.receiver, name, m.methods, args);
    }
    if (m.field != null) {
      return call(m.field.get(Modifier.isStatic(m.field.getModifiers()) ? null : m.receiver), args);
    }
    return call(m.nested, args);
  }

  /** RPyC's {@code _rpyc_getattr}: what a {@link DynamicAttributes} object answers itself. */
  private Object dynamicAttribute(Object target, String name) {
    if (target instanceof DynamicAttributes
        && !Dunders.isDunder(name)
        && conn.config().allowGetattr()) {
      return ((DynamicAttributes) target).dynamicAttribute(name);
    }
    return DynamicAttributes.NOT_FOUND;
  }

  /**
   * The abstract methods of the functional interfaces {@code type} implements, one per signature:
   * an interface extending another ({@code Job extends Runnable}) names the same method twice.
   */
  private static List<Method> functionalMethods(Class<?> type) {
    List<Method> out = new ArrayList<>();
    Set<String> signatures = new HashSet<>();
    for (Class<?> c : JavaMembers.hierarchy(type)) {
      if (!c.isInterface() || !JavaMembers.isReachable(c)) {
        continue;
      }
      Method single = null;
      int abstractCount = 0;
      for (Method m : c.getMethods()) {
        if (Modifier.isAbstract(m.getModifiers()) && !isObjectMethod(m)) {
          abstractCount++;
          single = m;
        }
      }
      if (abstractCount == 1
          && AccessPolicy.isSafe(single)
          && signatures.add(single.getName() + Arrays.toString(single.getParameterTypes()))) {
        out.add(single);
      }
    }
    return List.copyOf(out);
  }

  /**
   * What calling an object runs when it implements several functional interfaces: one method per
   * parameter list, preferring one that returns a value ({@code Callable.call} over {@code
   * Runnable.run}), so that the call is not ambiguous.
   */
  private static List<Method> callCandidates(List<Method> functional) {
    if (functional.size() < 2) {
      return functional;
    }
    java.util.Map<String, Method> byParameters = new java.util.LinkedHashMap<>();
    for (Method m : functional) {
      byParameters.merge(
          Arrays.toString(m.getParameterTypes()),
          m,
          (kept, other) -> kept.getReturnType() == void.class ? other : kept);
    }
    return List.copyOf(byParameters.values());
  }

  private static boolean isObjectMethod(Method m) {
    try {
      Object.class.getMethod(m.getName(), m.getParameterTypes());
      return true;
    } catch (NoSuchMethodException e) {
      return false;
    }
  }

  // ------------------------------------------------------------------ rpyc-java extension

  /**
   * A call by exact signature from a typed proxy: the method the caller's code named, when the
   * target has it; else (duck typing, e.g. an interface the remote class does not declare) the
   * usual overload resolution by name. Array results go back as tuples (copies).
   */
  private Object callsig(Object target, String name, Object sig, Object[] args, Object flags)
      throws Throwable {
    if (target instanceof RemoteRef) {
      return ((RemoteRef) target).call(name, args);
    }
    if (!(sig instanceof Tuple)) {
      throw PyError.typeError("JAVA_CALLSIG needs a tuple of parameter type names");
    }
    Tuple signature = (Tuple) sig;
    boolean sam = Integer.valueOf(1).equals(flags);
    Object result;
    Method functional =
        sam && policy.mayCall(target)
            ? exact(
                policy.callable(target, FUNCTIONAL_METHODS.get(target.getClass())), name, signature)
            : null;
    if (functional != null) {
      // calling what the caller was given (a lambda, a listener) is not name-checked, as
      // HANDLE_CALL
      result = invokeExact(functional, target, args);
    } else if (Dunders.isDunder(name)) {
      result = callattr(target, name, args);
    } else {
      AccessPolicy.Members members = policy.resolve(target, name);
      Method m = exact(members.methods, name, signature);
      if (m != null) {
        result = invokeExact(m, members.receiver, args);
      } else {
        result = callattr(target, name, args);
      }
    }
    return result != null && result.getClass().isArray() && !(result instanceof byte[])
        ? arrayToTuple(result)
        : result;
  }

  private static Method exact(List<Method> candidates, String name, Tuple signature) {
    for (Method m : candidates) {
      if (!m.getName().equals(name) || m.getParameterCount() != signature.size()) {
        continue;
      }
      Class<?>[] params = m.getParameterTypes();
      boolean same = true;
      for (int i = 0; i < params.length && same; i++) {
        same = params[i].getName().equals(signature.get(i));
      }
      if (same) {
        return m;
      }
    }
    return null;
  }

  private Object invokeExact(Method m, Object receiver, Object[] args) throws Throwable {
    return Invoker.invoke(conn, receiver, m.getName(), List.of(m), args);
  }

  private static Tuple arrayToTuple(Object array) {
    Object[] items = new Object[java.lang.reflect.Array.getLength(array)];
    for (int i = 0; i < items.length; i++) {
      Object item = java.lang.reflect.Array.get(array, i);
      items[i] =
          item != null && item.getClass().isArray() && !(item instanceof byte[])
              ? arrayToTuple(item)
              : item;
    }
    return Tuple.of(items);
  }

  /** The public interfaces of the object's class, for the peer's automatic proxies. */
  private Object typeinfo(Object target) {
    if (target == null) {
      return Tuple.of();
    }
    List<Object> names = new ArrayList<>();
    for (Class<?> c : JavaMembers.hierarchy(target.getClass())) {
      if (c.isInterface() && JavaMembers.isReachable(c)) {
        names.add(c.getName());
      }
    }
    return Tuple.copyOf(names);
  }

  /** A by-value copy: {@code (kind, componentType, items)}. */
  private Object obtain(Object target) {
    if (!policy.isAllowedDunder(target, "__iter__")) {
      throw PyError.cannotAccess("__iter__");
    }
    if (target instanceof java.util.Map) {
      List<Object> pairs = new ArrayList<>();
      for (java.util.Map.Entry<?, ?> e : ((java.util.Map<?, ?>) target).entrySet()) {
        pairs.add(Tuple.of(e.getKey(), e.getValue()));
      }
      return Tuple.of("map", "", Tuple.copyOf(pairs));
    }
    if (target instanceof java.util.Set) {
      return Tuple.of("set", "", Tuple.copyOf((java.util.Set<?>) target));
    }
    if (target instanceof java.util.Collection) {
      return Tuple.of("list", "", Tuple.copyOf((java.util.Collection<?>) target));
    }
    if (target != null && target.getClass().isArray()) {
      return Tuple.of(
          "array", target.getClass().getComponentType().getName(), arrayToTuple(target));
    }
    if (target instanceof Iterable) {
      List<Object> items = new ArrayList<>();
      Iterator<?> it = ((Iterable<?>) target).iterator();
      while (it.hasNext()) {
        if (items.size() == MAX_OBTAIN) {
          throw PyError.valueError(
              "more than "
                  + MAX_OBTAIN
                  + " items to obtain: iterate instead (it may be unbounded)");
        }
        items.add(it.next());
      }
      return Tuple.of("list", "", Tuple.copyOf(items));
    }
    throw PyError.typeError(
        "cannot obtain a " + Dunders.className(target) + ": not a collection, map or array");
  }

  // ------------------------------------------------------------------ the rest

  private Object cmp(Object a, Object b, String op) {
    if (!"__cmp__".equals(op) && !policy.isAllowedDunder(a, op)) {
      throw PyError.cannotAccess(op);
    }
    if ("__cmp__".equals(op)) {
      Object lt = Dunders.compare(a, b, "__lt__");
      if (lt == PyValue.Constant.NOT_IMPLEMENTED) {
        return lt;
      }
      return (Boolean) lt ? -1 : (Boolean) Dunders.compare(a, b, "__eq__") ? 0 : 1;
    }
    return Dunders.compare(a, b, op);
  }

  private Object inspect(Object idPack) {
    IdPack id = ProtocolConnection.idPack(idPack);
    Object target = conn.exports.lookup(id);
    if (target == null) {
      throw PyError.keyError(String.valueOf(id));
    }
    List<Object> methods = new ArrayList<>();
    for (String name : names(target)) {
      if (isMethodName(target, name)) {
        methods.add(Tuple.of(name, null));
      }
    }
    return Tuple.copyOf(methods);
  }

  /** What DIR reports: the access rule's names, and {@code __call__} for callable objects. */
  private List<String> names(Object target) {
    List<String> names = policy.dir(target);
    if (target instanceof DynamicAttributes && conn.config().allowGetattr()) {
      names.addAll(((DynamicAttributes) target).dynamicAttributeNames());
    }
    if (isCallable(target) && !names.contains("__call__")) {
      names.add("__call__");
    }
    return names;
  }

  private boolean isCallable(Object target) {
    if (target == null || !policy.mayCall(target)) {
      return false;
    }
    return target instanceof BoundMethod
        || target instanceof Class
        || !policy.callable(target, FUNCTIONAL_METHODS.get(target.getClass())).isEmpty();
  }

  /** Whether a DIR name is something to call (Python builds its proxy class from these). */
  private boolean isMethodName(Object target, String name) {
    if (Dunders.isDunder(name)) {
      return !"__doc__".equals(name);
    }
    try {
      AccessPolicy.Members m = policy.resolve(target, name);
      return m.field == null && !m.methods.isEmpty();
    } catch (PyError e) {
      return false;
    }
  }

  private Object buffiter(Object target, Object count) {
    if (!(target instanceof Iterator)) {
      throw PyError.typeError("BUFFITER needs an iterator, got " + Dunders.className(target));
    }
    if (!Conversions.isIntegral(count)) {
      throw PyError.typeError("BUFFITER count must be an integer");
    }
    long n = Math.max(0, Math.min(MAX_BUFFITER, ((Number) count).longValue()));
    Iterator<?> it = (Iterator<?>) target;
    List<Object> items = new ArrayList<>();
    while (items.size() < n && it.hasNext()) {
      items.add(it.next());
    }
    return Tuple.copyOf(items);
  }

  private Object oldslicing(Object target, String attempt, Object start, Object stop) {
    if (!"__getitem__".equals(attempt) && !"__getslice__".equals(attempt)) {
      throw PyError.typeError("only reading slices is supported on Java objects");
    }
    if (!policy.isAllowedDunder(target, "__getitem__")) {
      throw PyError.cannotAccess(attempt);
    }
    return Dunders.slice(target, new PyValue.Slice(start, stop, null));
  }

  private Object instancecheck(Object type, Object otherIdPack) {
    if (!(type instanceof Class)) {
      throw PyError.typeError("isinstance() arg 2 must be a class");
    }
    Object other = conn.exports.lookup(ProtocolConnection.idPack(otherIdPack));
    return other != null && ((Class<?>) type).isInstance(other);
  }
}
