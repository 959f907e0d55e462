package io.rpyc.internal.classic;

import io.rpyc.Exposed;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;

/**
 * The class files a classic server may ask for while it runs code this side teleported: the
 * server's per-connection class loader calls {@link #classBytes} for each class of this side it
 * needs, when it first needs it. Only class files are served, only through the class loaders of
 * teleported code (plus this library's own), and never classes of the {@code java.} packages, which
 * the server takes from its own JDK. Thread-safe.
 */
public final class ClassSource {
  private final Set<ClassLoader> loaders = new CopyOnWriteArraySet<>();

  ClassSource() {
    loaders.add(ClassSource.class.getClassLoader());
  }

  /** Lets the server load classes through {@code loader} (the loader of teleported code). */
  void allow(ClassLoader loader) {
    if (loader != null) {
      loaders.add(loader);
    }
  }

  /**
   * The class file of the class with binary name {@code name} ({@code com.example.Outer$Inner}), or
   * {@code null} if no allowed class loader has it.
   */
  @Exposed
  public byte[] classBytes(String name) {
    if (name.startsWith("java.") || name.indexOf('/') >= 0 || name.startsWith("[")) {
      return null;
    }
    String resource = name.replace('.', '/') + ".class";
    for (ClassLoader loader : loaders) {
      try (InputStream in = loader.getResourceAsStream(resource)) {
        if (in != null) {
          return in.readAllBytes();
        }
      } catch (IOException e) {
        throw new UncheckedIOException("reading the class file of " + name + " failed", e);
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return "ClassSource" + loaders;
  }
}
