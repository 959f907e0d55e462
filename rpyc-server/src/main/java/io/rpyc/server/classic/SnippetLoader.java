package io.rpyc.server.classic;

import java.io.File;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import jdk.jshell.execution.LoaderDelegate;
import jdk.jshell.spi.ExecutionControl.ClassBytecodes;
import jdk.jshell.spi.ExecutionControl.ClassInstallException;
import jdk.jshell.spi.ExecutionControl.InternalException;

/**
 * The class loader of one connection's jshell snippets. Its parent is the connection's teleport
 * loader, so snippets can reach teleported classes (by reflection: they are not on the compiler's
 * class path). {@link #delegate()} is what jshell hands the compiled classes to; unlike jshell's
 * own, it never changes a thread's context class loader, and it {@linkplain SnippetStop#instrument
 * instruments} each class so that a running snippet can be stopped.
 */
final class SnippetLoader extends URLClassLoader {
  static {
    registerAsParallelCapable();
  }

  private final Map<String, byte[]> declared = new ConcurrentHashMap<>();
  private final Map<String, Class<?>> loaded = new ConcurrentHashMap<>();
  private final LoaderDelegate delegate = new Delegate();

  SnippetLoader(String name, ClassLoader parent) {
    super(name, new URL[0], parent);
  }

  LoaderDelegate delegate() {
    return delegate;
  }

  @Override
  protected Class<?> findClass(String name) throws ClassNotFoundException {
    byte[] bytes = declared.get(name);
    if (bytes != null) {
      return defineClass(name, bytes, 0, bytes.length);
    }
    return super.findClass(name);
  }

  private final class Delegate implements LoaderDelegate {
    @Override
    public void load(ClassBytecodes[] classes) throws ClassInstallException {
      boolean[] installed = new boolean[classes.length];
      try {
        for (ClassBytecodes c : classes) {
          declared.put(c.name(), SnippetStop.instrument(c.bytecodes()));
        }
        for (int i = 0; i < classes.length; i++) {
          Class<?> k = loadClass(classes[i].name());
          loaded.put(classes[i].name(), k);
          installed[i] = true;
          k.getDeclaredMethods(); // links the class now, as jshell's own delegate does
        }
      } catch (Throwable t) {
        throw new ClassInstallException("loading the snippet's classes failed: " + t, installed);
      }
    }

    @Override
    public void classesRedefined(ClassBytecodes[] classes) {
      for (ClassBytecodes c : classes) {
        declared.put(c.name(), SnippetStop.instrument(c.bytecodes()));
      }
    }

    @Override
    public void addToClasspath(String path) throws InternalException {
      for (String entry : path.split(File.pathSeparator)) {
        if (entry.isBlank()) {
          continue;
        }
        try {
          addURL(Path.of(entry).toUri().toURL());
        } catch (MalformedURLException | RuntimeException e) {
          throw new InternalException("bad class path entry " + entry + ": " + e);
        }
      }
    }

    @Override
    public Class<?> findClass(String name) throws ClassNotFoundException {
      Class<?> k = loaded.get(name);
      if (k == null) {
        throw new ClassNotFoundException(name + " is not a loaded snippet class");
      }
      return k;
    }
  }
}
