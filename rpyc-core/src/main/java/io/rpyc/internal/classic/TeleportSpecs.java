package io.rpyc.internal.classic;

import io.rpyc.RemoteObject;
import io.rpyc.RemoteRef;
import io.rpyc.Tuple;
import java.lang.invoke.SerializedLambda;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;

/**
 * Describes local code as protocol values for a classic server to rebuild (see {@link
 * ClassicProtocol#LAMBDA}, {@link ClassicProtocol#OBJECT}, {@link ClassicProtocol#CLASS}). A
 * lambda's description is its {@link SerializedLambda}'s fields, obtained from the lambda's own
 * {@code writeReplace} (which exists when its functional interface is serializable); an object's is
 * its class name and field values. Captured values and field values stay objects: the connection
 * sends each by value or by reference as usual. No object stream is ever involved.
 */
final class TeleportSpecs {
  private TeleportSpecs() {}

  /**
   * The spec of {@code code}; registers the class loaders the server will need with {@code source}.
   */
  static Tuple describe(Object code, ClassSource source) {
    if (code == null) {
      throw new IllegalArgumentException("nothing to teleport: null");
    }
    if (code instanceof RemoteRef || code instanceof RemoteObject) {
      throw new IllegalArgumentException("cannot teleport a remote object: it is already remote");
    }
    if (code instanceof Class) {
      Class<?> type = (Class<?>) code;
      checkTeleportable(type, type);
      source.allow(type.getClassLoader());
      return Tuple.of(ClassicProtocol.CLASS, type.getName());
    }
    Class<?> type = code.getClass();
    if (type.isHidden() || type.isSynthetic()) {
      return lambda(code, type, source);
    }
    return object(code, type, source);
  }

  private static Tuple lambda(Object code, Class<?> type, ClassSource source) {
    SerializedLambda lambda = serializedForm(code, type);
    Object[] captured = new Object[lambda.getCapturedArgCount()];
    for (int i = 0; i < captured.length; i++) {
      captured[i] = lambda.getCapturedArg(i);
    }
    source.allow(type.getClassLoader());
    return Tuple.of(
        ClassicProtocol.LAMBDA,
        lambda.getCapturingClass().replace('/', '.'),
        lambda.getFunctionalInterfaceClass(),
        lambda.getFunctionalInterfaceMethodName(),
        lambda.getFunctionalInterfaceMethodSignature(),
        lambda.getImplMethodKind(),
        lambda.getImplClass(),
        lambda.getImplMethodName(),
        lambda.getImplMethodSignature(),
        lambda.getInstantiatedMethodType(),
        Tuple.of(captured));
  }

  private static SerializedLambda serializedForm(Object code, Class<?> type) {
    Method writeReplace;
    try {
      writeReplace = type.getDeclaredMethod("writeReplace");
      writeReplace.setAccessible(true);
    } catch (NoSuchMethodException | RuntimeException e) {
      throw new IllegalArgumentException(
          "cannot teleport "
              + type.getName()
              + ": a lambda can only be teleported if its functional interface is Serializable;"
              + " use ClassicConnection.SerializableCallable (or SerializableRunnable,"
              + " SerializableFunction) or an intersection cast such as"
              + " (Supplier<T> & Serializable) () -> ...");
    }
    Object replacement;
    try {
      replacement = writeReplace.invoke(code);
    } catch (InvocationTargetException e) {
      throw new IllegalArgumentException("cannot describe " + type.getName(), e.getCause());
    } catch (IllegalAccessException e) {
      throw new IllegalArgumentException("cannot describe " + type.getName(), e);
    }
    if (!(replacement instanceof SerializedLambda)) {
      throw new IllegalArgumentException(
          "cannot teleport " + type.getName() + ": it is not a lambda or method reference");
    }
    return (SerializedLambda) replacement;
  }

  private static Tuple object(Object code, Class<?> type, ClassSource source) {
    checkTeleportable(type, type);
    List<Object> fields = new ArrayList<>();
    for (Class<?> c = type; c != Object.class && c != Record.class; c = c.getSuperclass()) {
      checkTeleportable(type, c);
      source.allow(c.getClassLoader());
      for (Field f : c.getDeclaredFields()) {
        int mod = f.getModifiers();
        if (Modifier.isStatic(mod) || Modifier.isTransient(mod)) {
          continue;
        }
        Object value;
        try {
          f.setAccessible(true);
          value = f.get(code);
        } catch (IllegalAccessException | RuntimeException e) {
          throw new IllegalArgumentException(
              "cannot teleport " + type.getName() + ": field " + f + " is not readable", e);
        }
        fields.add(Tuple.of(c.getName(), f.getName(), value));
      }
    }
    return Tuple.of(ClassicProtocol.OBJECT, type.getName(), Tuple.copyOf(fields));
  }

  private static void checkTeleportable(Class<?> type, Class<?> c) {
    if (c.isArray() || c.isPrimitive() || c.isHidden()) {
      throw new IllegalArgumentException("cannot teleport " + type.getName());
    }
    ClassLoader loader = c.getClassLoader();
    if (loader == null || loader == ClassLoader.getPlatformClassLoader()) {
      throw new IllegalArgumentException(
          "cannot teleport "
              + type.getName()
              + (c == type ? "" : ": its superclass " + c.getName())
              + " is a JDK class; the server has its own");
    }
  }
}
