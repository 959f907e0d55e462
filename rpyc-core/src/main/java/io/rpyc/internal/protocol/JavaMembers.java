package io.rpyc.internal.protocol;

import io.rpyc.Exposed;
import java.lang.reflect.AccessibleObject;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a class offers to remote callers, computed once per class and cached ({@link ClassValue}, so
 * a class loader is never pinned): its public instance and static methods and fields, reachable
 * through public types only (a public method of a private class, such as {@code
 * ArrayList$Itr.next}, is invoked through the public interface that declares it), its exposed
 * members, and, for classic mode, every declared member.
 */
final class JavaMembers {
  private static final ClassValue<JavaMembers> CACHE =
      new ClassValue<>() {
        @Override
        protected JavaMembers computeValue(Class<?> type) {
          return new JavaMembers(type);
        }
      };

  /**
   * A declared member, a candidate for exposure: it is exposed if {@link #annotated} or if its name
   * starts with the connection's exposed prefix (checked when resolving, as the prefix is
   * configurable).
   */
  static final class ExposedMember {
    final String javaName;
    final String alias; // the @Exposed value, or null
    final AccessibleObject member; // Method or Field
    final boolean annotated;

    ExposedMember(String javaName, String alias, AccessibleObject member, boolean annotated) {
      this.javaName = javaName;
      this.alias = alias;
      this.member = member;
      this.annotated = annotated;
    }
  }

  final Class<?> type;
  final Map<String, List<Method>> instanceMethods;
  final Map<String, List<Method>> staticMethods;
  final Map<String, Field> instanceFields;
  final Map<String, Field> staticFields;
  final List<ExposedMember> declared;
  final boolean hasAnnotatedMembers;
  private final Set<String> declaredNames;
  private volatile Map<String, List<Method>> allMethods;
  private volatile Map<String, Field> allFields;
  private volatile List<Constructor<?>> constructors;

  static JavaMembers of(Class<?> type) {
    return CACHE.get(type);
  }

  private JavaMembers(Class<?> type) {
    this.type = type;
    Map<String, List<Method>> instance = new LinkedHashMap<>();
    Map<String, List<Method>> statics = new LinkedHashMap<>();
    Set<String> seen = new HashSet<>();
    for (Method m : type.getMethods()) {
      if (m.isBridge() || m.isSynthetic()) {
        continue;
      }
      boolean isStatic = Modifier.isStatic(m.getModifiers());
      if (isStatic && m.getDeclaringClass().isInterface()) {
        continue; // not inherited by the class
      }
      if (!seen.add(signature(m))) {
        continue;
      }
      Method usable = isStatic ? (isReachable(m.getDeclaringClass()) ? m : opened(m)) : usable(m);
      if (usable != null) {
        (isStatic ? statics : instance)
            .computeIfAbsent(m.getName(), k -> new ArrayList<>())
            .add(usable);
      }
    }
    this.instanceMethods = freeze(instance);
    this.staticMethods = freeze(statics);

    Map<String, Field> instanceF = new LinkedHashMap<>();
    Map<String, Field> staticF = new LinkedHashMap<>();
    for (Field f : type.getFields()) {
      Field usable = isReachable(f.getDeclaringClass()) ? f : opened(f);
      if (usable != null) {
        (Modifier.isStatic(f.getModifiers()) ? staticF : instanceF)
            .putIfAbsent(f.getName(), usable);
      }
    }
    this.instanceFields = Collections.unmodifiableMap(instanceF);
    this.staticFields = Collections.unmodifiableMap(staticF);

    List<ExposedMember> exposedMembers = new ArrayList<>();
    Set<String> names = new HashSet<>();
    boolean annotated = collectExposed(type, exposedMembers, names);
    this.declared = List.copyOf(exposedMembers);
    this.hasAnnotatedMembers = annotated;
    this.declaredNames = Set.copyOf(names);
  }

  /** Whether any declared member's name starts with {@code prefix}. */
  boolean hasMemberWithPrefix(String prefix) {
    for (String name : declaredNames) {
      if (name.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  private static boolean collectExposed(
      Class<?> type, List<ExposedMember> out, Set<String> declaredNames) {
    // Group methods by signature across the hierarchy: an @Exposed anywhere exposes the override.
    Map<String, Method> first = new LinkedHashMap<>();
    Map<String, Exposed> annotation = new HashMap<>();
    for (Class<?> c : hierarchy(type)) {
      for (Method m : c.getDeclaredMethods()) {
        if (m.isSynthetic() || m.isBridge()) {
          continue;
        }
        declaredNames.add(m.getName());
        String sig = signature(m);
        first.putIfAbsent(sig, m);
        Exposed e = m.getAnnotation(Exposed.class);
        if (e != null) {
          annotation.putIfAbsent(sig, e);
        }
      }
    }
    boolean annotated = !annotation.isEmpty();
    for (Map.Entry<String, Method> entry : first.entrySet()) {
      Method m = entry.getValue();
      Exposed e = annotation.get(entry.getKey());
      Method target = m.trySetAccessible() ? m : null;
      if (target != null) {
        String alias = e == null || e.value().isEmpty() ? null : e.value();
        out.add(new ExposedMember(m.getName(), alias, target, e != null));
      }
    }
    for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
      for (Field f : c.getDeclaredFields()) {
        if (f.isSynthetic()) {
          continue;
        }
        declaredNames.add(f.getName());
        Exposed e = f.getAnnotation(Exposed.class);
        annotated |= e != null;
        if (f.trySetAccessible()) {
          String alias = e == null || e.value().isEmpty() ? null : e.value();
          out.add(new ExposedMember(f.getName(), alias, f, e != null));
        }
      }
    }
    return annotated;
  }

  /** The class, its superclasses and all their interfaces, most derived first. */
  static List<Class<?>> hierarchy(Class<?> type) {
    List<Class<?>> out = new ArrayList<>();
    Set<Class<?>> seen = new HashSet<>();
    Deque<Class<?>> queue = new ArrayDeque<>();
    queue.add(type);
    while (!queue.isEmpty()) {
      Class<?> c = queue.poll();
      if (!seen.add(c)) {
        continue;
      }
      out.add(c);
      if (c.getSuperclass() != null) {
        queue.add(c.getSuperclass());
      }
      queue.addAll(Arrays.asList(c.getInterfaces()));
    }
    out.remove(Object.class);
    out.add(Object.class);
    return out;
  }

  /** Every method named {@code name} declared anywhere in the hierarchy, made accessible. */
  List<Method> allMethods(String name) {
    Map<String, List<Method>> all = allMethods;
    if (all == null) {
      Map<String, List<Method>> map = new HashMap<>();
      Set<String> seen = new HashSet<>();
      for (Class<?> c : hierarchy(type)) {
        for (Method m : c.getDeclaredMethods()) {
          if (m.isBridge() || m.isSynthetic() || !seen.add(signature(m))) {
            continue;
          }
          Method usable = Modifier.isPublic(m.getModifiers()) ? usableOrOpened(m) : opened(m);
          if (usable != null) {
            map.computeIfAbsent(m.getName(), k -> new ArrayList<>()).add(usable);
          }
        }
      }
      allMethods = all = freeze(map);
    }
    return all.getOrDefault(name, List.of());
  }

  /** The field named {@code name} declared anywhere in the class chain, made accessible. */
  Field anyField(String name) {
    Map<String, Field> all = allFields;
    if (all == null) {
      Map<String, Field> map = new HashMap<>();
      for (Class<?> c = type; c != null; c = c.getSuperclass()) {
        for (Field f : c.getDeclaredFields()) {
          if (!map.containsKey(f.getName())) {
            Field usable = isReachable(c) && Modifier.isPublic(f.getModifiers()) ? f : opened(f);
            if (usable != null) {
              map.put(f.getName(), usable);
            }
          }
        }
      }
      allFields = all = Collections.unmodifiableMap(map);
    }
    return all.get(name);
  }

  /** The public constructors (all constructors when {@code all}), made callable. */
  List<Constructor<?>> constructors(boolean all) {
    List<Constructor<?>> result = constructors;
    if (result == null) {
      List<Constructor<?>> list = new ArrayList<>();
      for (Constructor<?> c : type.getDeclaredConstructors()) {
        boolean reachable = isReachable(type) && Modifier.isPublic(c.getModifiers());
        if (reachable || c.trySetAccessible()) {
          list.add(c);
        }
      }
      constructors = result = List.copyOf(list);
    }
    if (all) {
      return result;
    }
    List<Constructor<?>> publicOnly = new ArrayList<>();
    for (Constructor<?> c : result) {
      if (Modifier.isPublic(c.getModifiers())) {
        publicOnly.add(c);
      }
    }
    return publicOnly;
  }

  private Method usable(Method m) {
    if (isReachable(m.getDeclaringClass())) {
      return m;
    }
    Method viaPublic = findInPublicSupertype(type, m);
    if (viaPublic != null) {
      return viaPublic;
    }
    return opened(m);
  }

  private Method usableOrOpened(Method m) {
    Method u = usable(m);
    return u != null ? u : opened(m);
  }

  private static Method findInPublicSupertype(Class<?> type, Method m) {
    for (Class<?> c : hierarchy(type)) {
      if (!isReachable(c)) {
        continue;
      }
      try {
        return c.getMethod(m.getName(), m.getParameterTypes());
      } catch (NoSuchMethodException e) {
        // keep looking
      }
    }
    return null;
  }

  private static <T extends AccessibleObject> T opened(T member) {
    return member.trySetAccessible() ? member : null;
  }

  /** Whether members of {@code c} can be used without {@code setAccessible}. */
  static boolean isReachable(Class<?> c) {
    for (Class<?> k = c; k != null; k = k.getEnclosingClass()) {
      if (!Modifier.isPublic(k.getModifiers())) {
        return false;
      }
    }
    return c.getModule().isExported(c.getPackageName());
  }

  private static String signature(Method m) {
    return m.getName() + Arrays.toString(m.getParameterTypes());
  }

  private static Map<String, List<Method>> freeze(Map<String, List<Method>> map) {
    Map<String, List<Method>> out = new LinkedHashMap<>();
    map.forEach((k, v) -> out.put(k, List.copyOf(v)));
    return Collections.unmodifiableMap(out);
  }
}
