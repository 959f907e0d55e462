package io.rpyc.internal.protocol;

import io.rpyc.PyValue;
import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.stream.BaseStream;

/**
 * The Java meaning of Python's protocol names ({@code __len__}, {@code __getitem__}, {@code
 * __iter__}, ...) on Java objects, so that a Python peer's {@code len()}, indexing, iteration,
 * {@code in}, comparisons and {@code with} work on JVM objects, and so that {@link
 * io.rpyc.RemoteRef}'s {@code length()}, {@code getItem()} and iteration mean the same thing
 * against a Python or a JVM peer. The table is in {@code docs/protocol.md}.
 */
final class Dunders {
  /** Names understood here; all are in RPyC's {@code safe_attrs}. */
  static final Set<String> NAMES =
      Set.of(
          "__len__",
          "__length_hint__",
          "__getitem__",
          "__setitem__",
          "__delitem__",
          "__contains__",
          "__iter__",
          "__next__",
          "next",
          "__str__",
          "__repr__",
          "__hash__",
          "__eq__",
          "__ne__",
          "__lt__",
          "__le__",
          "__gt__",
          "__ge__",
          "__bool__",
          "__enter__",
          "__exit__",
          "__call__",
          "__doc__",
          "__format__");

  /** Names harmless on any object, even one whose other members are off limits. */
  static final Set<String> HARMLESS =
      Set.of("__str__", "__repr__", "__hash__", "__eq__", "__ne__", "__doc__", "__format__");

  private Dunders() {}

  static boolean isDunder(String name) {
    return name.startsWith("__") && name.endsWith("__") && name.length() > 4 || "next".equals(name);
  }

  /** The protocol names that mean something for {@code target}, for DIR and INSPECT. */
  static List<String> applicable(Object target) {
    List<String> names =
        new ArrayList<>(List.of("__str__", "__repr__", "__hash__", "__eq__", "__ne__"));
    boolean sized = isSized(target);
    if (sized) {
      names.addAll(List.of("__len__", "__length_hint__", "__contains__", "__iter__", "__bool__"));
    }
    if (target instanceof List || target instanceof Map || isArray(target)) {
      names.addAll(List.of("__getitem__", "__setitem__", "__delitem__"));
    } else if (target instanceof CharSequence) {
      names.add("__getitem__");
    }
    if (!sized && (target instanceof Iterable || target instanceof BaseStream)) {
      names.add("__iter__");
    }
    if (target instanceof Iterator) {
      names.addAll(List.of("__iter__", "__next__"));
    }
    if (target instanceof Comparable) {
      names.addAll(List.of("__lt__", "__le__", "__gt__", "__ge__"));
    }
    if (target instanceof AutoCloseable) {
      names.addAll(List.of("__enter__", "__exit__"));
    }
    return names;
  }

  private static boolean isSized(Object t) {
    return t instanceof Collection || t instanceof Map || t instanceof CharSequence || isArray(t);
  }

  private static boolean isArray(Object t) {
    return t != null && t.getClass().isArray();
  }

  /** Performs {@code name} on {@code target} with the given (unboxed) arguments. */
  static Object call(ProtocolConnection conn, Object target, String name, Object[] args)
      throws Throwable {
    switch (name) {
      case "__len__":
      case "__length_hint__":
        arity(name, args, 0);
        return length(target);
      case "__getitem__":
        arity(name, args, 1);
        return getItem(target, args[0]);
      case "__setitem__":
        arity(name, args, 2);
        setItem(conn, target, args[0], args[1]);
        return null;
      case "__delitem__":
        arity(name, args, 1);
        delItem(target, args[0]);
        return null;
      case "__contains__":
        arity(name, args, 1);
        return contains(target, args[0]);
      case "__iter__":
        arity(name, args, 0);
        return iterator(target);
      case "__next__":
      case "next":
        arity(name, args, 0);
        return next(target);
      case "__str__":
      case "__format__":
        return String.valueOf(target);
      case "__repr__":
        arity(name, args, 0);
        return repr(target);
      case "__hash__":
        arity(name, args, 0);
        return target.hashCode();
      case "__eq__":
      case "__ne__":
      case "__lt__":
      case "__le__":
      case "__gt__":
      case "__ge__":
        arity(name, args, 1);
        return compare(target, args[0], name);
      case "__bool__":
        arity(name, args, 0);
        return truth(target);
      case "__enter__":
        return target;
      case "__exit__":
        if (target instanceof AutoCloseable) {
          ((AutoCloseable) target).close();
        }
        return Boolean.FALSE;
      case "__doc__":
        return null;
      default:
        throw PyError.attributeError(
            "'" + className(target) + "' object has no attribute '" + name + "'");
    }
  }

  private static void arity(String name, Object[] args, int n) {
    if (args.length != n) {
      throw PyError.typeError(name + "() takes " + n + " arguments (" + args.length + " given)");
    }
  }

  static String className(Object o) {
    return o == null ? "null" : o.getClass().getName();
  }

  static String repr(Object o) {
    if (o instanceof Object[]) {
      return Arrays.deepToString((Object[]) o);
    }
    if (isArray(o)) {
      List<Object> items = new ArrayList<>();
      for (int i = 0, n = Array.getLength(o); i < n; i++) {
        items.add(Array.get(o, i));
      }
      return items.toString();
    }
    return String.valueOf(o);
  }

  static int length(Object t) {
    if (t instanceof Collection) {
      return ((Collection<?>) t).size();
    }
    if (t instanceof Map) {
      return ((Map<?, ?>) t).size();
    }
    if (t instanceof CharSequence) {
      return ((CharSequence) t).length();
    }
    if (isArray(t)) {
      return Array.getLength(t);
    }
    throw PyError.typeError("object of type '" + className(t) + "' has no len()");
  }

  private static int index(Object key, int length) {
    if (!Conversions.isIntegral(key)) {
      throw PyError.typeError("indices must be integers, not " + Conversions.typeName(key));
    }
    long i = ((Number) key).longValue();
    long normalized = i < 0 ? i + length : i;
    if (normalized < 0 || normalized >= length) {
      throw PyError.indexError("index " + i + " out of range for length " + length);
    }
    return (int) normalized;
  }

  private static Object getItem(Object t, Object key) {
    if (t instanceof Map) {
      Map<?, ?> map = (Map<?, ?>) t;
      Object value = map.get(key);
      if (value == null && !map.containsKey(key)) {
        throw PyError.keyError(String.valueOf(key));
      }
      return value;
    }
    if (key instanceof PyValue.Slice) {
      return slice(t, (PyValue.Slice) key);
    }
    if (t instanceof List) {
      List<?> list = (List<?>) t;
      return list.get(index(key, list.size()));
    }
    if (isArray(t)) {
      return Array.get(t, index(key, Array.getLength(t)));
    }
    if (t instanceof CharSequence) {
      CharSequence s = (CharSequence) t;
      return String.valueOf(s.charAt(index(key, s.length())));
    }
    throw PyError.typeError("'" + className(t) + "' object is not subscriptable");
  }

  /** {@code t[start:stop]} (step 1) as a copy: a new list, array or string. */
  static Object slice(Object t, PyValue.Slice s) {
    if (s.step() != null && !Objects.equals(s.step(), 1)) {
      throw PyError.valueError("only slices with step 1 are supported on Java objects");
    }
    int length = length(t);
    int from = bound(s.start(), 0, length);
    int to = Math.max(from, bound(s.stop(), length, length));
    if (t instanceof List) {
      return new ArrayList<>(((List<?>) t).subList(from, to));
    }
    if (t instanceof CharSequence) {
      return ((CharSequence) t).subSequence(from, to).toString();
    }
    if (isArray(t)) {
      Object out = Array.newInstance(t.getClass().getComponentType(), to - from);
      System.arraycopy(t, from, out, 0, to - from);
      return out;
    }
    throw PyError.typeError("'" + className(t) + "' object cannot be sliced");
  }

  private static int bound(Object v, int dflt, int length) {
    if (v == null) {
      return dflt;
    }
    if (!Conversions.isIntegral(v)) {
      throw PyError.typeError("slice indices must be integers or None");
    }
    long i = ((Number) v).longValue();
    if (i < 0) {
      i += length;
    }
    return (int) Math.max(0, Math.min(length, i));
  }

  @SuppressWarnings("unchecked")
  private static void setItem(ProtocolConnection conn, Object t, Object key, Object value) {
    if (t instanceof Map) {
      ((Map<Object, Object>) t).put(key, value);
    } else if (t instanceof List) {
      List<Object> list = (List<Object>) t;
      list.set(index(key, list.size()), value);
    } else if (isArray(t)) {
      Class<?> component = t.getClass().getComponentType();
      if (Conversions.cost(value, component, conn) == Conversions.NO) {
        throw PyError.typeError(
            "cannot store " + Conversions.typeName(value) + " in a " + component.getName() + "[]");
      }
      Array.set(t, index(key, Array.getLength(t)), Conversions.convert(value, component, conn));
    } else {
      throw PyError.typeError("'" + className(t) + "' object does not support item assignment");
    }
  }

  private static void delItem(Object t, Object key) {
    if (t instanceof Map) {
      Map<?, ?> map = (Map<?, ?>) t;
      if (!map.containsKey(key)) {
        throw PyError.keyError(String.valueOf(key));
      }
      map.remove(key);
    } else if (t instanceof List) {
      List<?> list = (List<?>) t;
      list.remove(index(key, list.size()));
    } else {
      throw PyError.typeError("'" + className(t) + "' object does not support item deletion");
    }
  }

  private static boolean contains(Object t, Object x) {
    if (t instanceof Collection) {
      return ((Collection<?>) t).contains(x);
    }
    if (t instanceof Map) {
      return ((Map<?, ?>) t).containsKey(x);
    }
    if (t instanceof CharSequence) {
      return x != null && t.toString().contains(x.toString());
    }
    if (isArray(t)) {
      for (int i = 0, n = Array.getLength(t); i < n; i++) {
        if (Objects.equals(Array.get(t, i), x)) {
          return true;
        }
      }
      return false;
    }
    Iterator<?> it = iterator(t);
    while (it.hasNext()) {
      if (Objects.equals(it.next(), x)) {
        return true;
      }
    }
    return false;
  }

  static Iterator<?> iterator(Object t) {
    if (t instanceof Iterator) {
      return (Iterator<?>) t;
    }
    if (t instanceof Map) {
      return ((Map<?, ?>) t).keySet().iterator();
    }
    if (t instanceof Iterable) {
      return ((Iterable<?>) t).iterator();
    }
    if (t instanceof BaseStream) {
      return ((BaseStream<?, ?>) t).iterator();
    }
    if (isArray(t)) {
      int n = Array.getLength(t);
      return new Iterator<Object>() {
        int i;

        @Override
        public boolean hasNext() {
          return i < n;
        }

        @Override
        public Object next() {
          if (i >= n) {
            throw new NoSuchElementException();
          }
          return Array.get(t, i++);
        }
      };
    }
    if (t instanceof CharSequence) {
      return ((CharSequence) t).chars().mapToObj(c -> String.valueOf((char) c)).iterator();
    }
    throw PyError.typeError("'" + className(t) + "' object is not iterable");
  }

  private static Object next(Object t) {
    if (!(t instanceof Iterator)) {
      throw PyError.typeError("'" + className(t) + "' object is not an iterator");
    }
    Iterator<?> it = (Iterator<?>) t;
    if (!it.hasNext()) {
      throw PyError.stopIteration();
    }
    try {
      return it.next();
    } catch (NoSuchElementException e) {
      throw PyError.stopIteration();
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  static Object compare(Object a, Object b, String op) {
    switch (op) {
      case "__eq__":
        return Objects.equals(a, b);
      case "__ne__":
        return !Objects.equals(a, b);
      default:
        if (!(a instanceof Comparable) || b == null) {
          return PyValue.Constant.NOT_IMPLEMENTED;
        }
        int c;
        try {
          c = ((Comparable) a).compareTo(b);
        } catch (ClassCastException e) {
          return PyValue.Constant.NOT_IMPLEMENTED;
        }
        switch (op) {
          case "__lt__":
            return c < 0;
          case "__le__":
            return c <= 0;
          case "__gt__":
            return c > 0;
          default:
            return c >= 0;
        }
    }
  }

  private static boolean truth(Object t) {
    if (t instanceof Boolean) {
      return (Boolean) t;
    }
    if (isSized(t)) {
      return length(t) != 0;
    }
    return true;
  }
}
