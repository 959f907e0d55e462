package io.rpyc.internal.protocol;

import io.rpyc.RemoteInvocationException;
import io.rpyc.Rpyc;
import io.rpyc.Tuple;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Exceptions on the wire (RPyC's {@code vinegar}): a handler's exception becomes {@code ((module,
 * class), args, attrs, traceback)}, or the bare int 1 for {@code StopIteration}; an exception reply
 * becomes a {@link RemoteInvocationException} holding those parts as data. Never instantiates a
 * class named by the peer.
 */
final class Vinegar {
  /** The body RPyC sends instead of a tuple for {@code StopIteration}. */
  static final int STOP_ITERATION = 1;

  static final String REMOTE_VERSION_ATTR = "_remote_version";
  static final String TRACEBACK_DENIED = "<traceback denied>";

  private Vinegar() {}

  /** Encodes {@code t} as an exception body, in plain brine values. */
  static Object dump(Throwable t, boolean includeTraceback, boolean javaPeer) {
    String module;
    String name;
    if (t instanceof PyError) {
      if ("StopIteration".equals(((PyError) t).pythonType())) {
        return STOP_ITERATION;
      }
      module = "builtins";
      name = ((PyError) t).pythonType();
    } else if (!javaPeer && t instanceof IndexOutOfBoundsException) {
      module = "builtins"; // lets Python's sequence protocol stop where Java throws
      name = "IndexError";
    } else {
      String className = t.getClass().getName();
      int dot = className.lastIndexOf('.');
      module = dot < 0 ? "" : className.substring(0, dot);
      name = className.substring(dot + 1);
    }
    String message = t.getMessage();
    Tuple args = message == null ? Tuple.of() : Tuple.of(message);
    List<Object> attrs = new ArrayList<>();
    if (!(t instanceof PyError)) {
      attrs.add(Tuple.of(RemoteInvocationException.ATTR_JAVA_CLASS, t.getClass().getName()));
      StringJoiner hierarchy = new StringJoiner(",");
      for (Class<?> c = t.getClass().getSuperclass(); c != null; c = c.getSuperclass()) {
        hierarchy.add(c.getName());
      }
      attrs.add(Tuple.of(RemoteInvocationException.ATTR_JAVA_HIERARCHY, hierarchy.toString()));
    }
    attrs.add(Tuple.of(REMOTE_VERSION_ATTR, Rpyc.WIRE_VERSION));
    String traceback;
    if (!includeTraceback) {
      traceback = TRACEBACK_DENIED;
    } else if (t instanceof PyError) {
      // a refusal or a protocol error of the peer's making: no Java stack is worth showing
      traceback = name + ": " + (message == null ? "" : message) + "\n";
    } else {
      traceback = stackTrace(t);
    }
    return Tuple.of(Tuple.of(module, name), args, Tuple.copyOf(attrs), traceback);
  }

  private static String stackTrace(Throwable t) {
    StringWriter out = new StringWriter();
    try (PrintWriter writer = new PrintWriter(out)) {
      t.printStackTrace(writer);
    }
    return out.toString();
  }

  /** Decodes an exception body; tolerant of anything a peer may send. */
  static RemoteInvocationException load(Object body) {
    if (body instanceof Integer && (Integer) body == STOP_ITERATION) {
      return new RemoteInvocationException(
          "builtins.StopIteration", null, List.of(), Map.of(), null);
    }
    if (!(body instanceof Tuple) || ((Tuple) body).size() < 4) {
      return new RemoteInvocationException(
          "rpyc.UnknownRemoteError",
          "malformed exception reply: " + body,
          List.of(),
          Map.of(),
          null);
    }
    Tuple t = (Tuple) body;
    String type = "rpyc.UnknownRemoteError";
    if (t.get(0) instanceof Tuple && ((Tuple) t.get(0)).size() == 2) {
      Tuple names = (Tuple) t.get(0);
      String module = String.valueOf(names.get(0));
      String name = String.valueOf(names.get(1));
      type = module.isEmpty() ? name : module + "." + name;
    }
    List<Object> args = t.get(1) instanceof Tuple ? (Tuple) t.get(1) : List.of();
    Map<String, Object> attrs = new LinkedHashMap<>();
    if (t.get(2) instanceof Tuple) {
      for (Object pair : (Tuple) t.get(2)) {
        if (pair instanceof Tuple && ((Tuple) pair).size() == 2) {
          Tuple p = (Tuple) pair;
          attrs.put(String.valueOf(p.get(0)), p.get(1) == null ? "None" : p.get(1));
        }
      }
    }
    Object tb = t.get(3);
    String traceback = tb instanceof String && !TRACEBACK_DENIED.equals(tb) ? (String) tb : null;
    String message;
    if (args.isEmpty()) {
      message = null;
    } else if (args.size() == 1) {
      message = String.valueOf(args.get(0));
    } else {
      message = Tuple.copyOf(args).toString();
    }
    return new RemoteInvocationException(type, message, nonNull(args), attrs, traceback);
  }

  private static List<Object> nonNull(List<Object> args) {
    List<Object> copy = new ArrayList<>(args.size());
    for (Object a : args) {
      copy.add(a == null ? "None" : a);
    }
    return copy;
  }
}
