package io.rpyc.internal.protocol;

import io.rpyc.RpycConfig;
import io.rpyc.Service;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decides which members of this side's objects the peer may reach (spec §9, in Java terms). The
 * rule, documented in {@code docs/services.md}:
 *
 * <ol>
 *   <li>{@code allowGetattr}/{@code allowSetattr}/{@code allowDelattr} off: refused.
 *   <li>A {@link Restricted} view: only its listed names.
 *   <li>Python protocol names ({@code __len__}, ...): allowed with {@code allowSafeAttrs}.
 *   <li>{@code allowAllAttrs} (classic mode): every member, statics and non-public ones included.
 *   <li>Classes, class loaders, modules and reflection objects: refused.
 *   <li>Exposed members ({@code @Exposed} or the exposed prefix, reachable with or without it):
 *       allowed with {@code allowExposedAttrs}.
 *   <li>Public members not starting with {@code _}: allowed with {@code allowPublicAttrs}.
 *   <li>The Java default: the public instance methods of an object whose class exposes nothing
 *       explicitly (e.g. a {@code List} a service returned) — unless {@code strictExposure}.
 * </ol>
 *
 * Outside classic mode, methods that lead to reflection or class loading are never reachable:
 * {@code getClass}, Object's monitor methods, context class loaders, and any method taking or
 * returning a class, class loader, module or reflection object.
 */
final class AccessPolicy {
  private static final Set<String> BLOCKED_NAMES =
      Set.of(
          "getClass",
          "wait",
          "notify",
          "notifyAll",
          "getClassLoader",
          "getContextClassLoader",
          "setContextClassLoader",
          "finalize");

  private final RpycConfig config;
  private final ConcurrentHashMap<String, Resolved> resolved = new ConcurrentHashMap<>();

  AccessPolicy(RpycConfig config) {
    this.config = config;
  }

  /** What a name resolves to on an object: a field and/or methods, or a nested class. */
  static final class Members {
    final Object receiver;
    final Field field;
    final List<Method> methods;
    final Class<?> nested;

    Members(Object receiver, Field field, List<Method> methods, Class<?> nested) {
      this.receiver = receiver;
      this.field = field;
      this.methods = methods;
      this.nested = nested;
    }

    boolean isEmpty() {
      return field == null && methods.isEmpty() && nested == null;
    }
  }

  /** Whether {@code name} is a Python protocol name the peer may use on {@code target}. */
  boolean isAllowedDunder(Object target, String name) {
    if (!config.allowGetattr()) {
      return false;
    }
    if (target instanceof Restricted) {
      return ((Restricted) target).mayRead(name);
    }
    if (!Dunders.NAMES.contains(name) || !(config.allowSafeAttrs() || config.allowAllAttrs())) {
      return false;
    }
    return config.allowAllAttrs() || !isSensitive(target) || Dunders.HARMLESS.contains(name);
  }

  /**
   * Resolves {@code name} on {@code target} for GETATTR and CALLATTR.
   *
   * @throws PyError {@code AttributeError} if the name is unknown or refused
   */
  Members resolve(Object target, String name) {
    if (!config.allowGetattr()) {
      throw PyError.cannotAccess(name);
    }
    Members found;
    if (target instanceof Restricted) {
      Restricted r = (Restricted) target;
      if (!r.mayRead(name)) {
        throw PyError.cannotAccess(name);
      }
      found = publicMembers(r.target(), name, false);
    } else if (config.allowAllAttrs()) {
      found = allMembers(target, name);
    } else if (isSensitive(target)) {
      throw PyError.cannotAccess(name);
    } else {
      found = serviceMembers(target, name);
    }
    if (found == null || found.isEmpty()) {
      throw PyError.cannotAccess(name);
    }
    return found;
  }

  /**
   * Resolves {@code name} for SETATTR.
   *
   * @throws PyError {@code AttributeError} if refused
   */
  Field resolveField(Object target, String name) {
    if (!config.allowSetattr() || target instanceof Service) {
      throw PyError.cannotAccess(name);
    }
    Field field = null;
    Object owner = target instanceof Restricted ? ((Restricted) target).target() : target;
    if (target instanceof Restricted) {
      if (((Restricted) target).mayWrite(name)) {
        field = JavaMembers.of(owner.getClass()).instanceFields.get(name);
      }
    } else if (config.allowAllAttrs()) {
      field =
          owner instanceof Class
              ? staticField((Class<?>) owner, name)
              : JavaMembers.of(owner.getClass()).anyField(name);
    } else if (!isSensitive(owner)) {
      Members m = serviceMembers(owner, name);
      field = m == null ? null : m.field;
    }
    if (field == null) {
      throw PyError.cannotAccess(name);
    }
    if (Modifier.isFinal(field.getModifiers())) {
      throw PyError.attributeError("cannot assign final field '" + name + "'");
    }
    return field;
  }

  /** Whether the peer may HANDLE_CALL {@code target} (a lambda, a constructor, a bound method). */
  boolean mayCall(Object target) {
    if (target instanceof BoundMethod) {
      return true;
    }
    if (target instanceof Restricted) {
      return false;
    }
    return config.allowAllAttrs() || !isSensitive(target);
  }

  /**
   * The single abstract methods through which the peer may HANDLE_CALL {@code target} (calling an
   * object is not name-checked, as in RPyC): all of {@code functional} for a lambda or any object
   * whose class declares no exposure; for a service, or a class with exposed members, only those
   * that are exposed, so that a service implementing {@code Runnable} does not hand out {@code
   * run()}.
   */
  List<Method> callable(Object target, List<Method> functional) {
    if (functional.isEmpty() || config.allowAllAttrs()) {
      return functional;
    }
    JavaMembers m = JavaMembers.of(target.getClass());
    if (!declaresExposure(target, m)) {
      return functional;
    }
    List<Method> out = new ArrayList<>();
    if (config.allowExposedAttrs()) {
      for (Method f : functional) {
        Members exposed = exposedMembers(target, m, f.getName());
        if (exposed != null && hasSignatureOf(exposed.methods, f)) {
          out.add(f);
        }
      }
    }
    return out;
  }

  private static boolean hasSignatureOf(List<Method> methods, Method f) {
    for (Method method : methods) {
      if (method.getName().equals(f.getName())
          && java.util.Arrays.equals(method.getParameterTypes(), f.getParameterTypes())) {
        return true;
      }
    }
    return false;
  }

  /** The names DIR reports for {@code target}. */
  List<String> dir(Object target) {
    Set<String> names = new LinkedHashSet<>();
    if (target instanceof Restricted) {
      names.addAll(readableNames((Restricted) target));
      return new ArrayList<>(names);
    }
    if (config.allowSafeAttrs() || config.allowAllAttrs()) {
      names.addAll(Dunders.applicable(target));
    }
    if (!config.allowGetattr() || (!config.allowAllAttrs() && isSensitive(target))) {
      return new ArrayList<>(names);
    }
    JavaMembers m = JavaMembers.of(target.getClass());
    if (config.allowAllAttrs()) {
      if (target instanceof Class) {
        JavaMembers statics = JavaMembers.of((Class<?>) target);
        names.addAll(statics.staticMethods.keySet());
        names.addAll(statics.staticFields.keySet());
      }
      names.addAll(m.instanceMethods.keySet());
      names.addAll(m.instanceFields.keySet());
      return new ArrayList<>(names);
    }
    boolean declares = declaresExposure(target, m);
    if (declares && config.allowExposedAttrs()) {
      String prefix = config.exposedPrefix();
      for (JavaMembers.ExposedMember em : m.declared) {
        if (em.annotated || em.javaName.startsWith(prefix)) {
          names.add(strip(em.javaName));
          if (em.alias != null) {
            names.add(em.alias);
          }
        }
      }
    }
    if (config.allowPublicAttrs()) {
      for (String n : m.instanceMethods.keySet()) {
        if (!n.startsWith("_") && !safeMethods(m.instanceMethods.get(n)).isEmpty()) {
          names.add(n);
        }
      }
      for (String n : m.instanceFields.keySet()) {
        if (!n.startsWith("_")) {
          names.add(n);
        }
      }
    } else if (!declares && !config.strictExposure()) {
      for (String n : m.instanceMethods.keySet()) {
        if (!safeMethods(m.instanceMethods.get(n)).isEmpty()) {
          names.add(n);
        }
      }
    }
    return new ArrayList<>(names);
  }

  private List<String> readableNames(Restricted r) {
    List<String> names = new ArrayList<>();
    for (String n : JavaMembers.of(r.target().getClass()).instanceMethods.keySet()) {
      if (r.mayRead(n)) {
        names.add(n);
      }
    }
    return names;
  }

  private String strip(String javaName) {
    String prefix = config.exposedPrefix();
    return javaName.startsWith(prefix) ? javaName.substring(prefix.length()) : javaName;
  }

  private boolean declaresExposure(Object target, JavaMembers m) {
    return target instanceof Service
        || m.hasAnnotatedMembers
        || m.hasMemberWithPrefix(config.exposedPrefix());
  }

  /**
   * What {@link #serviceMembers} found for a name, on one class: it depends only on the class, the
   * name and the configuration, and finding it walks every exposed member.
   */
  private static final class Resolved {
    final Class<?> type;
    final Field field;
    final List<Method> methods;

    Resolved(Class<?> type, Field field, List<Method> methods) {
      this.type = type;
      this.field = field;
      this.methods = methods;
    }
  }

  /**
   * Most names remembered per connection (only names that resolved, so the peer cannot grow it).
   */
  private static final int MAX_RESOLVED = 1024;

  private Members serviceMembers(Object target, String name) {
    Class<?> type = target.getClass();
    Resolved r = resolved.get(name);
    if (r != null && r.type == type) {
      return new Members(target, r.field, r.methods, null);
    }
    Members found = findServiceMembers(target, name);
    if (found != null && !found.isEmpty() && resolved.size() < MAX_RESOLVED) {
      found = new Members(target, found.field, List.copyOf(found.methods), null);
      resolved.put(name, new Resolved(type, found.field, found.methods));
    }
    return found;
  }

  private Members findServiceMembers(Object target, String name) {
    JavaMembers m = JavaMembers.of(target.getClass());
    boolean declares = declaresExposure(target, m);
    if (config.allowExposedAttrs() && (declares || name.startsWith(config.exposedPrefix()))) {
      Members exposed = exposedMembers(target, m, name);
      if (exposed != null) {
        return exposed;
      }
    }
    if (config.allowPublicAttrs() && !name.startsWith("_")) {
      Members pub = publicMembers(target, name, true);
      if (!pub.isEmpty()) {
        return pub;
      }
    }
    if (!declares && !config.strictExposure()) {
      List<Method> methods = safeMethods(m.instanceMethods.getOrDefault(name, List.of()));
      if (!methods.isEmpty()) {
        return new Members(target, null, methods, null);
      }
    }
    return null;
  }

  private Members exposedMembers(Object target, JavaMembers m, String name) {
    String prefix = config.exposedPrefix();
    String base = name.startsWith(prefix) ? name.substring(prefix.length()) : name;
    List<Method> methods = new ArrayList<>();
    Field field = null;
    for (JavaMembers.ExposedMember em : m.declared) {
      boolean prefixed = em.javaName.startsWith(prefix);
      if (!em.annotated && !prefixed) {
        continue;
      }
      String emBase = prefixed ? em.javaName.substring(prefix.length()) : em.javaName;
      if (emBase.equals(base) || name.equals(em.alias)) {
        if (em.member instanceof Method) {
          methods.add((Method) em.member);
        } else if (field == null) {
          field = (Field) em.member;
        }
      }
    }
    return methods.isEmpty() && field == null ? null : new Members(target, field, methods, null);
  }

  private Members publicMembers(Object target, String name, boolean filter) {
    JavaMembers m = JavaMembers.of(target.getClass());
    List<Method> methods = m.instanceMethods.getOrDefault(name, List.of());
    if (filter) {
      methods = safeMethods(methods);
    }
    Field field = m.instanceFields.get(name);
    if (field != null && filter && isSensitiveType(field.getType())) {
      field = null;
    }
    return new Members(target, field, methods, null);
  }

  private Members allMembers(Object target, String name) {
    if (target instanceof Class) {
      Class<?> type = (Class<?>) target;
      List<Method> statics = new ArrayList<>();
      for (Method method : JavaMembers.of(type).allMethods(name)) {
        if (Modifier.isStatic(method.getModifiers())) {
          statics.add(method);
        }
      }
      Field field = staticField(type, name);
      Class<?> nested = nestedClass(type, name);
      if (!statics.isEmpty() || field != null || nested != null) {
        return new Members(null, field, statics, nested);
      }
      // fall through to java.lang.Class's own members (getName, ...)
    }
    JavaMembers m = JavaMembers.of(target.getClass());
    List<Method> methods = new ArrayList<>();
    for (Method method : m.allMethods(name)) {
      if (!Modifier.isStatic(method.getModifiers())) {
        methods.add(method);
      }
    }
    Field field = m.instanceFields.get(name);
    if (field == null) {
      field = m.anyField(name);
      if (field != null && Modifier.isStatic(field.getModifiers())) {
        field = null;
      }
    }
    return new Members(target, field, methods, null);
  }

  private static Field staticField(Class<?> type, String name) {
    Field f = JavaMembers.of(type).anyField(name);
    if (f == null) {
      f = JavaMembers.of(type).staticFields.get(name); // inherited from an interface
    }
    return f != null && Modifier.isStatic(f.getModifiers()) ? f : null;
  }

  private static Class<?> nestedClass(Class<?> type, String name) {
    for (Class<?> c = type; c != null; c = c.getSuperclass()) {
      for (Class<?> nested : c.getDeclaredClasses()) {
        if (nested.getSimpleName().equals(name)) {
          return nested;
        }
      }
    }
    return null;
  }

  private List<Method> safeMethods(List<Method> methods) {
    List<Method> out = new ArrayList<>(methods.size());
    for (Method m : methods) {
      if (isSafe(m)) {
        out.add(m);
      }
    }
    return out;
  }

  /** Whether a public method stays clear of reflection, class loading and monitors. */
  static boolean isSafe(Method m) {
    if (BLOCKED_NAMES.contains(m.getName()) || Modifier.isStatic(m.getModifiers())) {
      return false;
    }
    if (isSensitiveType(m.getDeclaringClass()) || isSensitiveType(m.getReturnType())) {
      return false;
    }
    for (Class<?> p : m.getParameterTypes()) {
      if (isSensitiveType(p)) {
        return false;
      }
    }
    return true;
  }

  /** Objects the peer may not use outside classic mode, whoever handed them out. */
  static boolean isSensitive(Object target) {
    return target instanceof Class || isSensitiveType(target.getClass());
  }

  static boolean isSensitiveType(Class<?> type) {
    while (type.isArray()) {
      type = type.getComponentType();
    }
    if (type == Class.class
        || type == Module.class
        || type == ModuleLayer.class
        || ClassLoader.class.isAssignableFrom(type)) {
      return true;
    }
    String pkg = type.getPackageName();
    return pkg.equals("java.lang.reflect") || pkg.equals("java.lang.invoke");
  }
}
