package io.rpyc.server.classic;

import io.rpyc.internal.protocol.DynamicAttributes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.module.ModuleReader;
import java.lang.module.ResolvedModule;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * A package of the server, as {@code getmodule("java.util")} returns it: its attributes are its
 * classes and sub-packages ({@code ArrayList}, {@code concurrent}), looked up in the connection's
 * class loader, as RPyC's {@code conn.modules.os.path} walks Python packages. DIR lists the
 * sub-packages, and the classes of JDK packages. Immutable and thread-safe.
 */
public final class JavaPackage implements DynamicAttributes {
  private final String name;
  private final ClassicService service;

  JavaPackage(String name, ClassicService service) {
    this.name = name;
    this.service = service;
  }

  /** The package's name, e.g. {@code java.util}. */
  public String getName() {
    return name;
  }

  @Override
  public Object dynamicAttribute(String attribute) {
    if (attribute.isEmpty() || attribute.indexOf('.') >= 0) {
      return NOT_FOUND;
    }
    Object found = service.lookup(name + "." + attribute);
    return found != null ? found : NOT_FOUND;
  }

  @Override
  public Collection<String> dynamicAttributeNames() {
    Set<String> names = new TreeSet<>();
    String prefix = name + ".";
    for (String pkg : ClassicService.knownPackages()) {
      if (pkg.startsWith(prefix)) {
        String rest = pkg.substring(prefix.length());
        int dot = rest.indexOf('.');
        names.add(dot < 0 ? rest : rest.substring(0, dot));
      }
    }
    names.addAll(jdkClasses());
    return names;
  }

  private Set<String> jdkClasses() {
    Set<String> classes = new TreeSet<>();
    String path = name.replace('.', '/') + "/";
    for (ResolvedModule module : ModuleLayer.boot().configuration().modules()) {
      if (!module.reference().descriptor().packages().contains(name)) {
        continue;
      }
      try (ModuleReader reader = module.reference().open();
          Stream<String> entries = reader.list()) {
        entries
            .filter(e -> e.startsWith(path) && e.endsWith(".class"))
            .map(e -> e.substring(path.length(), e.length() - ".class".length()))
            .filter(e -> e.indexOf('/') < 0 && e.indexOf('$') < 0 && !e.contains("-"))
            .forEach(classes::add);
      } catch (IOException e) {
        throw new UncheckedIOException("listing " + name + " failed", e);
      }
    }
    return classes;
  }

  @Override
  public String toString() {
    return "package " + name;
  }
}
