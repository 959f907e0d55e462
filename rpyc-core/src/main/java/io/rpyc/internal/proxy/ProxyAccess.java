package io.rpyc.internal.proxy;

import java.lang.reflect.InvocationHandler;

/** Implemented by every generated proxy class: installs the per-instance handler. */
public interface ProxyAccess {
  /** Sets the handler; called once, right after instantiation. */
  void $rpycInstallHandler(InvocationHandler handler);
}
