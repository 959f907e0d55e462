package io.rpyc.server.classic;

import io.rpyc.RemoteRef;
import io.rpyc.Tuple;
import io.rpyc.internal.classic.ClassicProtocol;
import java.lang.invoke.MethodHandleInfo;
import java.lang.invoke.MethodType;
import java.lang.invoke.SerializedLambda;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.HashMap;
import java.util.Map;
import org.objenesis.Objenesis;
import org.objenesis.ObjenesisStd;

/**
 * Rebuilds teleported code from its description (see {@code ClassicProtocol}) in a connection's
 * {@link TeleportLoader}:
 *
 * <ul>
 *   <li>a lambda: its declaring class is loaded, and the class's own {@code $deserializeLambda$}
 *       (which javac writes for every serializable lambda) rebuilds it from a {@link
 *       SerializedLambda} holding the fields the client sent; this is the path Java deserialization
 *       takes, without any object stream;
 *   <li>an object: a record through its canonical constructor, any other class instantiated without
 *       a constructor (Objenesis) and its fields set;
 *   <li>a class: loaded.
 * </ul>
 *
 * Captured values and fields that arrived as references to the client's objects become typed
 * proxies of the declared type.
 */
final class Teleports {
  private static final Objenesis OBJENESIS = new ObjenesisStd(true);

  private Teleports() {}

  static Object rebuild(Tuple spec, ClassLoader loader) throws Throwable {
    if (spec.isEmpty() || !(spec.get(0) instanceof String)) {
      throw new IllegalArgumentException("malformed teleport spec: " + spec);
    }
    switch ((String) spec.get(0)) {
      case ClassicProtocol.CLASS:
        return Class.forName(string(spec, 1), true, loader);
      case ClassicProtocol.LAMBDA:
        return lambda(spec, loader);
      case ClassicProtocol.OBJECT:
        return object(spec, loader);
      default:
        throw new IllegalArgumentException("unknown teleport kind: " + spec.get(0));
    }
  }

  private static String string(Tuple spec, int i) {
    if (spec.size() <= i || !(spec.get(i) instanceof String)) {
      throw new IllegalArgumentException("malformed teleport spec: " + spec);
    }
    return (String) spec.get(i);
  }

  private static Object lambda(Tuple spec, ClassLoader loader) throws Throwable {
    if (spec.size() != 11
        || !(spec.get(5) instanceof Integer)
        || !(spec.get(10) instanceof Tuple)) {
      throw new IllegalArgumentException("malformed lambda spec: " + spec);
    }
    Class<?> capturing = Class.forName(string(spec, 1), false, loader);
    int implKind = (Integer) spec.get(5);
    String implClass = string(spec, 6);
    String implSignature = string(spec, 8);
    Tuple captured = (Tuple) spec.get(10);
    Class<?>[] types = capturedTypes(implKind, implClass, implSignature, captured.size(), loader);
    Object[] args = new Object[captured.size()];
    for (int i = 0; i < args.length; i++) {
      args[i] = fit(captured.get(i), types[i], "captured value #" + i);
    }
    SerializedLambda serialized =
        new SerializedLambda(
            capturing,
            string(spec, 2),
            string(spec, 3),
            string(spec, 4),
            implKind,
            implClass,
            string(spec, 7),
            implSignature,
            string(spec, 9),
            args);
    Method deserialize;
    try {
      deserialize = capturing.getDeclaredMethod("$deserializeLambda$", SerializedLambda.class);
      deserialize.setAccessible(true);
    } catch (NoSuchMethodException e) {
      throw new IllegalArgumentException(
          capturing.getName() + " declares no serializable lambda (no $deserializeLambda$)", e);
    }
    try {
      return deserialize.invoke(null, serialized);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  /** The static types of a lambda's captured values: the leading parameters of its method. */
  private static Class<?>[] capturedTypes(
      int implKind, String implClass, String signature, int count, ClassLoader loader)
      throws ClassNotFoundException {
    Class<?>[] params = MethodType.fromMethodDescriptorString(signature, loader).parameterArray();
    boolean receiver =
        implKind == MethodHandleInfo.REF_invokeVirtual
            || implKind == MethodHandleInfo.REF_invokeInterface
            || implKind == MethodHandleInfo.REF_invokeSpecial;
    Class<?>[] types = new Class<?>[count];
    int from = 0;
    if (receiver && count > 0) {
      types[0] = Class.forName(implClass.replace('/', '.'), false, loader);
      from = 1;
    }
    for (int i = from; i < count; i++) {
      types[i] = i - from < params.length ? params[i - from] : Object.class;
    }
    return types;
  }

  private static Object object(Tuple spec, ClassLoader loader) throws Throwable {
    if (spec.size() != 3 || !(spec.get(2) instanceof Tuple)) {
      throw new IllegalArgumentException("malformed object spec: " + spec);
    }
    Class<?> type = Class.forName(string(spec, 1), true, loader);
    Map<String, Object> values = new HashMap<>();
    Map<String, Field> fields = new HashMap<>();
    for (Object item : (Tuple) spec.get(2)) {
      Tuple f = (Tuple) item;
      Class<?> declaring = Class.forName((String) f.get(0), false, loader);
      Field field = declaring.getDeclaredField((String) f.get(1));
      String key = declaring.getName() + "#" + field.getName();
      fields.put(key, field);
      values.put(key, f.get(2));
    }
    if (type.isRecord()) {
      RecordComponent[] components = type.getRecordComponents();
      Class<?>[] types = new Class<?>[components.length];
      Object[] args = new Object[components.length];
      for (int i = 0; i < components.length; i++) {
        types[i] = components[i].getType();
        String key = type.getName() + "#" + components[i].getName();
        args[i] = fit(values.get(key), types[i], "component " + components[i].getName());
      }
      Constructor<?> canonical = type.getDeclaredConstructor(types);
      canonical.setAccessible(true);
      try {
        return canonical.newInstance(args);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
    }
    Object instance = OBJENESIS.newInstance(type);
    for (Map.Entry<String, Field> e : fields.entrySet()) {
      Field field = e.getValue();
      field.setAccessible(true);
      field.set(instance, fit(values.get(e.getKey()), field.getType(), "field " + field));
    }
    return instance;
  }

  /** A value that arrived, made to fit {@code type}: references become typed proxies. */
  private static Object fit(Object value, Class<?> type, String what) {
    if (value == null) {
      if (type.isPrimitive()) {
        throw new IllegalArgumentException(what + " is null but must be a " + type);
      }
      return null;
    }
    if (wrap(type).isInstance(value)) {
      return value;
    }
    if (value instanceof RemoteRef) {
      return ((RemoteRef) value).as(type);
    }
    throw new IllegalArgumentException(
        what + " is a " + value.getClass().getName() + " but must be a " + type.getName());
  }

  private static Class<?> wrap(Class<?> type) {
    if (!type.isPrimitive()) {
      return type;
    }
    return MethodType.methodType(type).wrap().returnType();
  }
}
