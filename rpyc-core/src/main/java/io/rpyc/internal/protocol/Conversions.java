package io.rpyc.internal.protocol;

import io.rpyc.RemoteRef;
import io.rpyc.Tuple;
import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Map;

/**
 * How an argument that arrived over the wire fits a Java parameter type: a cost for overload
 * resolution ({@link #NO} when it does not fit) and the conversion itself. The rule, documented in
 * {@code docs/remote-ref.md}:
 *
 * <ul>
 *   <li>0: exact type (a boxed primitive for its primitive);
 *   <li>1–6: a widening primitive conversion, or a reference assignable to the parameter (cost
 *       grows with the distance; {@code Object} costs most);
 *   <li>5–12: conversions a Python peer needs because its values are untyped: an integer narrowed
 *       to a smaller integral type <em>when the value fits</em>, {@code float} to Java {@code
 *       float}, a one-character string to {@code char}, a tuple to an array, a string to an enum
 *       constant, a remote reference to a typed proxy of an interface.
 * </ul>
 */
final class Conversions {
  static final int NO = -1;

  private static final Map<Class<?>, Class<?>> PRIMITIVE_OF =
      Map.of(
          Boolean.class, boolean.class,
          Byte.class, byte.class,
          Short.class, short.class,
          Character.class, char.class,
          Integer.class, int.class,
          Long.class, long.class,
          Float.class, float.class,
          Double.class, double.class);

  private Conversions() {}

  /** Whether {@code value} is the box of the primitive type {@code primitive} (no lookup). */
  static boolean isBoxOf(Object value, Class<?> primitive) {
    if (primitive == int.class) {
      return value instanceof Integer;
    }
    if (primitive == long.class) {
      return value instanceof Long;
    }
    return PRIMITIVE_OF.get(value.getClass()) == primitive;
  }

  /** The cost of passing {@code arg} for a parameter of type {@code p}, or {@link #NO}. */
  static int cost(Object arg, Class<?> p, ProtocolConnection conn) {
    if (p.isPrimitive()) {
      return primitiveCost(arg, p);
    }
    if (arg == null) {
      return 1;
    }
    Class<?> primitive = PRIMITIVE_OF.get(p);
    if (primitive != null) {
      int c = primitiveCost(arg, primitive);
      return c == NO ? NO : c + 1;
    }
    if (p.isInstance(arg)) {
      return distance(arg.getClass(), p);
    }
    if (p == String.class && arg instanceof Character) {
      return 5;
    }
    if (p == BigInteger.class && isIntegral(arg)) {
      return 5;
    }
    if (p == BigDecimal.class
        && (isIntegral(arg) || arg instanceof Double || arg instanceof Float)) {
      return 6;
    }
    if (p.isArray() && arg instanceof Tuple) {
      for (Object item : (Tuple) arg) {
        if (cost(item, p.getComponentType(), conn) == NO) {
          return NO;
        }
      }
      return 8;
    }
    if (p.isEnum() && arg instanceof String) {
      return enumConstant(p, (String) arg) != null ? 8 : NO;
    }
    if (arg instanceof RemoteRef && p.isInterface() && conn.canProxy(p)) {
      return 8;
    }
    return NO;
  }

  private static int distance(Class<?> from, Class<?> to) {
    if (from == to) {
      return 0;
    }
    if (to == Object.class) {
      return 6;
    }
    if (to.isInterface()) {
      return 3;
    }
    int d = 1;
    for (Class<?> c = from.getSuperclass(); c != null && c != to; c = c.getSuperclass()) {
      d++;
    }
    return Math.min(d, 5);
  }

  private static int rank(Class<?> p) {
    if (p == byte.class) {
      return 1;
    } else if (p == short.class || p == char.class) {
      return 2;
    } else if (p == int.class) {
      return 3;
    } else if (p == long.class) {
      return 4;
    } else if (p == float.class) {
      return 5;
    } else if (p == double.class) {
      return 6;
    }
    return 0;
  }

  private static boolean isIntegralPrimitive(Class<?> p) {
    return p == byte.class || p == short.class || p == int.class || p == long.class;
  }

  static boolean isIntegral(Object v) {
    return v instanceof Integer
        || v instanceof Long
        || v instanceof Short
        || v instanceof Byte
        || v instanceof BigInteger;
  }

  private static int primitiveCost(Object arg, Class<?> p) {
    if (arg == null) {
      return NO;
    }
    if (p == boolean.class) {
      return arg instanceof Boolean ? 0 : NO;
    }
    Class<?> kind = PRIMITIVE_OF.get(arg.getClass());
    if (p == char.class) {
      if (kind == char.class) {
        return 0;
      }
      return arg instanceof String && ((String) arg).length() == 1 ? 5 : NO;
    }
    if (kind == p) {
      return 0;
    }
    if (kind != null && kind != boolean.class && isWidening(kind, p)) {
      return rank(p) - rank(kind);
    }
    if (isIntegral(arg) && isIntegralPrimitive(p) && fits((Number) arg, p)) {
      return 10 + Math.abs(rank(p) - rank(kind == null ? long.class : kind));
    }
    if (arg instanceof Double && p == float.class) {
      return 10;
    }
    if (arg instanceof BigInteger && (p == float.class || p == double.class)) {
      return 12;
    }
    return NO;
  }

  private static boolean isWidening(Class<?> from, Class<?> to) {
    if (from == char.class) {
      return to == int.class || to == long.class || to == float.class || to == double.class;
    }
    if (to == char.class) {
      return false;
    }
    return rank(to) > rank(from);
  }

  private static boolean fits(Number n, Class<?> p) {
    if (n instanceof BigInteger) {
      BigInteger b = (BigInteger) n;
      if (b.bitLength() >= 64) {
        return false;
      }
    }
    long v = n.longValue();
    if (p == byte.class) {
      return v >= Byte.MIN_VALUE && v <= Byte.MAX_VALUE;
    } else if (p == short.class) {
      return v >= Short.MIN_VALUE && v <= Short.MAX_VALUE;
    } else if (p == int.class) {
      return v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE;
    }
    return true;
  }

  /** Converts {@code arg} for a parameter of type {@code p}; {@link #cost} must have allowed it. */
  static Object convert(Object arg, Class<?> p, ProtocolConnection conn) {
    if (arg == null) {
      return null;
    }
    Class<?> primitive = p.isPrimitive() ? p : PRIMITIVE_OF.get(p);
    if (primitive != null) {
      return convertPrimitive(arg, primitive);
    }
    if (p.isInstance(arg)) {
      return arg;
    }
    if (p == String.class && arg instanceof Character) {
      return String.valueOf(arg);
    }
    if (p == BigInteger.class) {
      return BigInteger.valueOf(((Number) arg).longValue());
    }
    if (p == BigDecimal.class) {
      if (arg instanceof BigInteger) {
        return new BigDecimal((BigInteger) arg);
      }
      return isIntegral(arg)
          ? BigDecimal.valueOf(((Number) arg).longValue())
          : BigDecimal.valueOf(((Number) arg).doubleValue());
    }
    if (p.isArray() && arg instanceof Tuple) {
      Tuple t = (Tuple) arg;
      Object array = Array.newInstance(p.getComponentType(), t.size());
      for (int i = 0; i < t.size(); i++) {
        Array.set(array, i, convert(t.get(i), p.getComponentType(), conn));
      }
      return array;
    }
    if (p.isEnum() && arg instanceof String) {
      return enumConstant(p, (String) arg);
    }
    if (arg instanceof RemoteRef && p.isInterface()) {
      return conn.proxy((RemoteRef) arg, p);
    }
    throw new ClassCastException(
        "cannot convert " + arg.getClass().getName() + " to " + p.getTypeName());
  }

  private static Object convertPrimitive(Object arg, Class<?> p) {
    if (p == boolean.class) {
      return arg;
    }
    if (p == char.class) {
      return arg instanceof Character ? arg : ((String) arg).charAt(0);
    }
    Number n = arg instanceof Character ? (int) (Character) arg : (Number) arg;
    if (p == int.class) {
      return n.intValue();
    } else if (p == long.class) {
      return n.longValue();
    } else if (p == double.class) {
      return n.doubleValue();
    } else if (p == float.class) {
      return n.floatValue();
    } else if (p == short.class) {
      return n.shortValue();
    } else {
      return n.byteValue();
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Object enumConstant(Class<?> type, String name) {
    try {
      return Enum.valueOf((Class) type, name);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** A short description of an argument's type, for error messages. */
  static String typeName(Object arg) {
    if (arg == null) {
      return "null";
    }
    if (arg instanceof RemoteRef) {
      return "remote " + ((RemoteRef) arg).remoteClassName();
    }
    return arg.getClass().getSimpleName();
  }
}
