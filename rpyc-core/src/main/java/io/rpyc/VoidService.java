package io.rpyc;

/**
 * A service that exposes nothing: RPyC's {@code VoidService}, the default local service of a
 * client. The peer can still use the objects this side passes to it, such as callbacks.
 */
public final class VoidService extends Service {
  /** Creates the void service. */
  public VoidService() {}
}
