package io.rpyc.server.classic;

import io.rpyc.RemoteRef;
import io.rpyc.RpycException;
import io.rpyc.internal.classic.ClassicProtocol;

/**
 * One connection's class loader for teleported code. Parent first: the server's own classes and the
 * JDK win; a class found nowhere here is asked of the client ({@code classBytes(name)} on the class
 * source it passed with its first teleport), when first needed, and defined here. So a teleported
 * lambda's declaring class, and every class of the client it goes on to use, arrive lazily over the
 * same connection. Dropped with the connection. Thread-safe (parallel capable).
 */
final class TeleportLoader extends ClassLoader {
  static {
    registerAsParallelCapable();
  }

  private volatile RemoteRef source;

  TeleportLoader(String name, ClassLoader parent) {
    super(name, parent);
  }

  /** The client's class source; the first one stays (one per client connection). */
  void offer(RemoteRef classSource) {
    if (source == null && classSource != null) {
      synchronized (this) {
        if (source == null) {
          source = classSource;
        }
      }
    }
  }

  @Override
  protected Class<?> findClass(String name) throws ClassNotFoundException {
    RemoteRef from = source;
    if (from == null || name.startsWith("java.")) {
      throw new ClassNotFoundException(name);
    }
    Object bytes;
    try {
      bytes = from.call(ClassicProtocol.CLASS_BYTES, name);
    } catch (RpycException e) {
      throw new ClassNotFoundException(
          name + " (asking the client for it failed: " + e.getMessage() + ")", e);
    }
    if (!(bytes instanceof byte[])) {
      throw new ClassNotFoundException(name + " (neither the server nor the client has it)");
    }
    byte[] b = (byte[]) bytes;
    try {
      return defineClass(name, b, 0, b.length);
    } catch (SecurityException e) {
      throw new ClassNotFoundException(name + " (cannot be defined: " + e.getMessage() + ")", e);
    }
  }
}
