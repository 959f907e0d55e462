package io.rpyc.internal.protocol;

import java.lang.reflect.Array;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * Picks the overload that fits a call's runtime arguments best and invokes it.
 *
 * <p>Each candidate with a matching arity (or a varargs candidate that can absorb the arguments) is
 * scored with {@link Conversions#cost} per argument; the lowest total wins. On a tie, a fixed-arity
 * candidate beats a varargs one, then a candidate whose parameter types are all assignable to the
 * other's (the more specific) wins. A remaining tie, or no candidate at all, is a {@code TypeError}
 * naming the candidates.
 */
final class Invoker {
  private Invoker() {}

  /** Invokes the best of {@code candidates} on {@code target} ({@code null} for statics). */
  static Object invoke(
      ProtocolConnection conn,
      Object target,
      String name,
      List<? extends Executable> candidates,
      Object[] args)
      throws Throwable {
    Executable best = null;
    int bestCost = Integer.MAX_VALUE;
    boolean bestVarargs = false;
    boolean ambiguous = false;
    for (Executable e : candidates) {
      int fixed = cost(conn, e, args, false);
      int cost = fixed;
      boolean varargs = false;
      if (fixed == Conversions.NO && e.isVarArgs()) {
        cost = cost(conn, e, args, true);
        varargs = true;
      }
      if (cost == Conversions.NO) {
        continue;
      }
      if (best == null || cost < bestCost) {
        best = e;
        bestCost = cost;
        bestVarargs = varargs;
        ambiguous = false;
      } else if (cost == bestCost) {
        if (bestVarargs && !varargs) {
          best = e;
          bestVarargs = false;
          ambiguous = false;
        } else if (bestVarargs == varargs) {
          if (moreSpecific(e, best)) {
            best = e;
            ambiguous = false;
          } else if (!moreSpecific(best, e)) {
            ambiguous = true;
          }
        }
      }
    }
    if (best == null) {
      throw PyError.typeError(
          "no overload of "
              + name
              + " accepts ("
              + argTypes(args)
              + "); candidates: "
              + describe(candidates));
    }
    if (ambiguous) {
      throw PyError.typeError(
          "ambiguous call "
              + name
              + "("
              + argTypes(args)
              + "); candidates: "
              + describe(candidates));
    }
    Object[] converted = convert(conn, best, args, bestVarargs);
    try {
      if (best instanceof Method) {
        return ((Method) best).invoke(target, converted);
      }
      return ((Constructor<?>) best).newInstance(converted);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    } catch (IllegalAccessException e) {
      throw PyError.attributeError("cannot access '" + name + "': " + e.getMessage());
    }
  }

  private static int cost(ProtocolConnection conn, Executable e, Object[] args, boolean varargs) {
    Class<?>[] params = e.getParameterTypes();
    int total = 0;
    if (!varargs) {
      if (params.length != args.length) {
        return Conversions.NO;
      }
      for (int i = 0; i < args.length; i++) {
        int c = Conversions.cost(args[i], params[i], conn);
        if (c == Conversions.NO) {
          return Conversions.NO;
        }
        total += c;
      }
      return total;
    }
    int fixed = params.length - 1;
    if (args.length < fixed) {
      return Conversions.NO;
    }
    for (int i = 0; i < fixed; i++) {
      int c = Conversions.cost(args[i], params[i], conn);
      if (c == Conversions.NO) {
        return Conversions.NO;
      }
      total += c;
    }
    Class<?> component = params[fixed].getComponentType();
    for (int i = fixed; i < args.length; i++) {
      int c = Conversions.cost(args[i], component, conn);
      if (c == Conversions.NO) {
        return Conversions.NO;
      }
      total += c;
    }
    return total + 1;
  }

  private static Object[] convert(
      ProtocolConnection conn, Executable e, Object[] args, boolean varargs) {
    Class<?>[] params = e.getParameterTypes();
    Object[] out = new Object[params.length];
    int fixed = varargs ? params.length - 1 : params.length;
    for (int i = 0; i < fixed; i++) {
      out[i] = Conversions.convert(args[i], params[i], conn);
    }
    if (varargs) {
      Class<?> component = params[fixed].getComponentType();
      Object array = Array.newInstance(component, args.length - fixed);
      for (int i = fixed; i < args.length; i++) {
        Array.set(array, i - fixed, Conversions.convert(args[i], component, conn));
      }
      out[fixed] = array;
    }
    return out;
  }

  private static boolean moreSpecific(Executable a, Executable b) {
    Class<?>[] pa = a.getParameterTypes();
    Class<?>[] pb = b.getParameterTypes();
    if (pa.length != pb.length) {
      return false;
    }
    boolean strictly = false;
    for (int i = 0; i < pa.length; i++) {
      if (!isSubtype(pa[i], pb[i])) {
        return false;
      }
      strictly |= pa[i] != pb[i];
    }
    return strictly;
  }

  private static boolean isSubtype(Class<?> a, Class<?> b) {
    if (a == b || b.isAssignableFrom(a)) {
      return true;
    }
    // primitive widening makes int more specific than long, as in JLS 15.12.2.5
    return a.isPrimitive() && b.isPrimitive() && a != boolean.class && rankBelow(a, b);
  }

  private static boolean rankBelow(Class<?> a, Class<?> b) {
    List<Class<?>> order =
        List.of(byte.class, short.class, int.class, long.class, float.class, double.class);
    int ia = order.indexOf(a == char.class ? int.class : a);
    int ib = order.indexOf(b);
    return ia >= 0 && ib >= 0 && ia < ib;
  }

  private static String argTypes(Object[] args) {
    StringJoiner j = new StringJoiner(", ");
    for (Object a : args) {
      j.add(Conversions.typeName(a));
    }
    return j.toString();
  }

  static String describe(List<? extends Executable> candidates) {
    List<String> out = new ArrayList<>();
    for (Executable e : candidates) {
      StringJoiner j =
          new StringJoiner(
              ", ", e.getName().substring(e.getName().lastIndexOf('.') + 1) + "(", ")");
      for (Class<?> p : e.getParameterTypes()) {
        j.add(p.getSimpleName());
      }
      out.add(j.toString());
    }
    return String.join(", ", out);
  }
}
