package io.rpyc.internal.proxy;

import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.isDeclaredBy;
import static net.bytebuddy.matcher.ElementMatchers.isDefaultMethod;
import static net.bytebuddy.matcher.ElementMatchers.isEquals;
import static net.bytebuddy.matcher.ElementMatchers.isFinal;
import static net.bytebuddy.matcher.ElementMatchers.isHashCode;
import static net.bytebuddy.matcher.ElementMatchers.isPackagePrivate;
import static net.bytebuddy.matcher.ElementMatchers.isPrivate;
import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.isToString;
import static net.bytebuddy.matcher.ElementMatchers.not;

import io.rpyc.RemoteObject;
import io.rpyc.RemoteRef;
import io.rpyc.RpycException;
import io.rpyc.internal.protocol.Netref;
import io.rpyc.internal.protocol.TypedProxies;
import java.io.Serializable;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.NamingStrategy;
import net.bytebuddy.TypeCache;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.modifier.Visibility;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.dynamic.loading.ClassLoadingStrategy;
import net.bytebuddy.dynamic.scaffold.subclass.ConstructorStrategy;
import net.bytebuddy.implementation.FieldAccessor;
import net.bytebuddy.implementation.InvocationHandlerAdapter;
import net.bytebuddy.matcher.ElementMatcher;
import org.objenesis.Objenesis;
import org.objenesis.ObjenesisStd;
import org.objenesis.instantiator.ObjectInstantiator;

/**
 * Typed proxies of remote objects, generated with Byte Buddy: interfaces as a subclass of {@code
 * Object} implementing them, concrete classes as a subclass instantiated with Objenesis (no
 * constructor runs locally). Every proxy also implements {@link RemoteObject}; proxies made for
 * references that arrived untyped implement every public interface of the remote class that is
 * loadable here, and {@link RemoteRef} too unless one of those interfaces clashes with it.
 *
 * <p>Generated classes are cached per class loader and set of types: a second proxy of a seen set
 * generates no bytecode, and classes of a discarded class loader are not kept alive by the cache
 * (Byte Buddy's {@link TypeCache} with weak references; classes whose types all come from the
 * application's own loaders are cached for the life of the JVM).
 */
public final class ByteBuddyProxies implements TypedProxies {
  /** The one instance; its caches are shared by every connection. */
  public static final ByteBuddyProxies INSTANCE = new ByteBuddyProxies();

  private static final String HANDLER_FIELD = "$rpycHandler";
  private static final Set<Class<?>> NOT_PROXIED =
      Set.of(
          Serializable.class,
          Cloneable.class,
          RandomAccess.class,
          RemoteObject.class,
          RemoteRef.class,
          ProxyAccess.class);

  private final TypeCache<TypeCache.SimpleKey> weakCache =
      new TypeCache.WithInlineExpunction<>(TypeCache.Sort.WEAK);
  private final ConcurrentHashMap<TypeCache.SimpleKey, Class<?>> permanentCache =
      new ConcurrentHashMap<>();
  private final AtomicInteger generated = new AtomicInteger();
  // Objenesis's own cache holds classes strongly; a ClassValue stores each on its class instead.
  private final Objenesis objenesis = new ObjenesisStd(false);
  private final ClassValue<ObjectInstantiator<?>> instantiators =
      new ClassValue<>() {
        @Override
        protected ObjectInstantiator<?> computeValue(Class<?> type) {
          return objenesis.getInstantiatorOf(type);
        }
      };
  private static final ClassValue<Boolean> CLASHES_WITH_REMOTE_REF =
      new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
          for (Method m : type.getMethods()) {
            try {
              Method ours = RemoteRef.class.getMethod(m.getName(), m.getParameterTypes());
              if (ours.getReturnType() != m.getReturnType()) {
                return true;
              }
            } catch (NoSuchMethodException e) {
              // no clash
            }
          }
          return false;
        }
      };
  private final ByteBuddy byteBuddy = new ByteBuddy();

  private ByteBuddyProxies() {}

  /** How many proxy classes have been generated so far (for tests and monitoring). */
  public int generatedClasses() {
    return generated.get();
  }

  @Override
  public boolean canProxy(Class<?> type) {
    return type.isInterface() && Modifier.isPublic(type.getModifiers()) && !type.isSealed();
  }

  @Override
  public RemoteRef unwrap(Object o) {
    if (o instanceof RemoteObject) {
      return ((RemoteObject) o).remoteRef();
    }
    return o instanceof RemoteRef ? (RemoteRef) o : null;
  }

  /** A proxy of exactly {@code type} (and {@link RemoteObject}): {@code RemoteRef.as(type)}. */
  @Override
  public Object proxy(RemoteRef ref, Class<?> type) {
    Netref netref = netref(ref);
    if (type.isInstance(netref) && !type.isInterface()) {
      return netref;
    }
    return netref.view(type, () -> create(netref, type, List.of()));
  }

  /**
   * A proxy for a result whose declared type is {@code declared}: the remote class's interfaces,
   * plus {@code declared} if it is an interface, or a subclass of it if it is a class.
   */
  public Object typed(Netref netref, Class<?> declared) {
    if (declared == Object.class) {
      return auto(netref);
    }
    if (declared.isInstance(netref)) {
      return netref;
    }
    return netref.view(declared, () -> create(netref, declared, localInterfaces(netref)));
  }

  /**
   * The automatic proxy of a reference that arrived untyped, or the handle itself when nothing of
   * the remote class is known here (a Python object, a class, an array, a bound method).
   */
  public Object auto(Netref netref) {
    return netref.autoProxy(
        () -> {
          List<Class<?>> interfaces = localInterfaces(netref);
          if (interfaces.isEmpty()) {
            return netref;
          }
          return create(netref, Object.class, interfaces);
        });
  }

  private List<Class<?>> localInterfaces(Netref netref) {
    String name = netref.remoteClassName();
    if (netref.isRemoteClass() || name.startsWith("[") || name.startsWith("builtins.")) {
      return List.of();
    }
    List<Class<?>> out = new ArrayList<>();
    for (Class<?> c : netref.remoteInterfaces()) {
      if (canProxy(c) && !NOT_PROXIED.contains(c)) {
        out.add(c);
      }
    }
    return out;
  }

  private static Netref netref(RemoteRef ref) {
    RemoteRef unwrapped = INSTANCE.unwrap(ref);
    if (!(unwrapped instanceof Netref)) {
      throw new IllegalArgumentException("not a handle of a remote object: " + ref);
    }
    return (Netref) unwrapped;
  }

  // ------------------------------------------------------------------ creation

  private Object create(Netref netref, Class<?> type, List<Class<?>> extraInterfaces) {
    Class<?> superclass = Object.class;
    Set<Class<?>> interfaces = new LinkedHashSet<>();
    if (type.isInterface()) {
      if (!canProxy(type)) {
        throw new RpycException(
            "cannot make a typed proxy of "
                + type.getName()
                + ": only public, non-sealed interfaces and non-final classes can be proxied");
      }
      interfaces.add(type);
    } else if (type != Object.class) {
      checkSubclassable(type);
      superclass = type;
    }
    interfaces.addAll(extraInterfaces);
    interfaces.add(RemoteObject.class);
    if (superclass == Object.class
        && !extraInterfaces.isEmpty()
        && !clashesWithRemoteRef(interfaces)) {
      interfaces.add(RemoteRef.class);
    }
    Class<?> proxyClass = proxyClass(superclass, new ArrayList<>(interfaces));
    Object proxy = instantiators.get(proxyClass).newInstance();
    ((ProxyAccess) proxy).$rpycInstallHandler(new ProxyHandler(netref));
    return proxy;
  }

  private static void checkSubclassable(Class<?> type) {
    if (Modifier.isFinal(type.getModifiers())
        || type.isPrimitive()
        || type.isArray()
        || type.isEnum()
        || type.isRecord()) {
      throw new RpycException(
          "cannot make a typed proxy of final "
              + type.getName()
              + ": use an interface it implements, or the RemoteRef");
    }
    for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
      for (Method m : c.getDeclaredMethods()) {
        int mod = m.getModifiers();
        if (Modifier.isFinal(mod)
            && !Modifier.isStatic(mod)
            && !Modifier.isPrivate(mod)
            && !m.isSynthetic()) {
          throw new RpycException(
              "cannot make a typed proxy of "
                  + type.getName()
                  + ": its final method "
                  + m.getName()
                  + "() cannot be forwarded and would run locally; use an interface, or the RemoteRef");
        }
      }
    }
  }

  private static boolean clashesWithRemoteRef(Set<Class<?>> interfaces) {
    for (Class<?> i : interfaces) {
      if (CLASHES_WITH_REMOTE_REF.get(i)) {
        return true;
      }
    }
    return false;
  }

  private Class<?> proxyClass(Class<?> superclass, List<Class<?>> interfaces) {
    List<Class<?>> all = new ArrayList<>(interfaces);
    all.add(ProxyAccess.class);
    if (superclass != Object.class) {
      all.add(superclass);
    }
    interfaces.sort(Comparator.comparing(Class::getName));
    List<Class<?>> keyTypes = new ArrayList<>(interfaces);
    keyTypes.add(0, superclass);
    TypeCache.SimpleKey key = new TypeCache.SimpleKey(keyTypes);
    ClassLoader loader = loaderSeeing(all);
    if (isPermanent(loader)) {
      return permanentCache.computeIfAbsent(key, k -> make(superclass, interfaces, loader));
    }
    return weakCache.findOrInsert(
        loader, key, () -> make(superclass, interfaces, loader), weakCache);
  }

  private Class<?> make(Class<?> superclass, List<Class<?>> interfaces, ClassLoader loader) {
    ElementMatcher.Junction<MethodDescription> forwarded;
    DynamicType.Builder<?> builder;
    boolean inject = superclass != Object.class && canInjectNextTo(superclass);
    if (superclass == Object.class) {
      forwarded =
          isAbstract().or(isDefaultMethod()).or(isEquals()).or(isHashCode()).or(isToString());
      String base = "io.rpyc.internal.proxy.generated." + interfaces.get(0).getSimpleName();
      builder =
          byteBuddy
              .with(
                  new NamingStrategy.SuffixingRandom(
                      "RpycProxy",
                      new NamingStrategy.Suffixing.BaseNameResolver.ForFixedValue(base)))
              .subclass(Object.class);
    } else {
      forwarded =
          not(isFinal())
              .and(not(isStatic()))
              .and(not(isPrivate()))
              .and(
                  not(isDeclaredBy(Object.class)).or(isEquals()).or(isHashCode()).or(isToString()));
      if (!inject) {
        forwarded = forwarded.and(not(isPackagePrivate()));
      }
      NamingStrategy naming =
          inject
              ? new NamingStrategy.SuffixingRandom("RpycProxy")
              : new NamingStrategy.SuffixingRandom(
                  "RpycProxy",
                  new NamingStrategy.Suffixing.BaseNameResolver.ForFixedValue(
                      "io.rpyc.internal.proxy.generated." + superclass.getSimpleName()));
      builder =
          byteBuddy.with(naming).subclass(superclass, ConstructorStrategy.Default.NO_CONSTRUCTORS);
    }
    DynamicType.Unloaded<?> unloaded =
        builder
            .implement(interfaces)
            .defineField(HANDLER_FIELD, InvocationHandler.class, Visibility.PRIVATE)
            .method(forwarded.and(not(isDeclaredBy(ProxyAccess.class))))
            .intercept(InvocationHandlerAdapter.toField(HANDLER_FIELD))
            .implement(ProxyAccess.class)
            .intercept(FieldAccessor.ofField(HANDLER_FIELD))
            .make();
    generated.incrementAndGet();
    if (inject) {
      try {
        return unloaded
            .load(
                superclass.getClassLoader(),
                ClassLoadingStrategy.UsingLookup.of(
                    MethodHandles.privateLookupIn(superclass, MethodHandles.lookup())))
            .getLoaded();
      } catch (IllegalAccessException | RuntimeException e) {
        // fall through: a wrapper loader, where package-private methods stay local
      }
    }
    return unloaded.load(loader, ClassLoadingStrategy.Default.WRAPPER).getLoaded();
  }

  private static boolean canInjectNextTo(Class<?> type) {
    Module module = type.getModule();
    return type.getClassLoader() != null
        && module.isOpen(type.getPackageName(), ByteBuddyProxies.class.getModule());
  }

  /** A class loader from which every one of {@code types} is visible. */
  private static ClassLoader loaderSeeing(List<Class<?>> types) {
    List<ClassLoader> candidates = new ArrayList<>();
    for (Class<?> t : types) {
      if (t.getClassLoader() != null && !candidates.contains(t.getClassLoader())) {
        candidates.add(t.getClassLoader());
      }
    }
    for (ClassLoader candidate : candidates) {
      if (seesAll(candidate, types)) {
        return candidate;
      }
    }
    throw new RpycException(
        "cannot proxy " + types + " together: no class loader sees all of them");
  }

  private static boolean seesAll(ClassLoader loader, List<Class<?>> types) {
    for (Class<?> t : types) {
      try {
        if (Class.forName(t.getName(), false, loader) != t) {
          return false;
        }
      } catch (ClassNotFoundException | LinkageError e) {
        return false;
      }
    }
    return true;
  }

  private static boolean isPermanent(ClassLoader loader) {
    for (ClassLoader l = ByteBuddyProxies.class.getClassLoader(); l != null; l = l.getParent()) {
      if (l == loader) {
        return true;
      }
    }
    return Objects.equals(loader, ClassLoader.getSystemClassLoader());
  }
}
