package io.rpyc.internal.protocol;

import java.util.Collection;

/**
 * An object that answers some attribute names itself, before the access rule looks at its Java
 * members: RPyC's {@code _rpyc_getattr} hook, in Java. Classic mode uses it for package handles,
 * whose attributes are the package's classes and sub-packages ({@code java.util} then {@code
 * ArrayList}).
 *
 * <p>Consulted for GETATTR, CALLATTR and DIR when the connection's {@code allowGetattr} is on; a
 * name it does not know ({@link #NOT_FOUND}) falls through to the usual rule. Implementations must
 * be thread-safe: requests of one peer run concurrently. <b>Not API.</b>
 */
public interface DynamicAttributes {
  /** Returned by {@link #dynamicAttribute} for a name the object does not answer itself. */
  Object NOT_FOUND = new Object();

  /**
   * The value of attribute {@code name}, or {@link #NOT_FOUND}.
   *
   * @throws RuntimeException to report a failure to the peer
   */
  Object dynamicAttribute(String name);

  /** The names {@link #dynamicAttribute} answers, for DIR; may be a subset. */
  Collection<String> dynamicAttributeNames();
}
