package io.rpyc;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The remote side threw while serving a request. Carries what the peer sent about its exception as
 * plain data — the remote type name, message, arguments, attributes and stack trace text — and is
 * never turned back into an instance of the remote class: nothing from the wire is deserialized
 * into an arbitrary type.
 *
 * <p>The remote stack trace is attached as this exception's {@linkplain #getCause() cause} (a
 * {@link RemoteStackTrace}), so {@code printStackTrace()} shows the local and the remote stack.
 *
 * <pre>{@code
 * try {
 *   calc.call("divide", 1, 0);
 * } catch (RemoteInvocationException e) {
 *   if (e.isInstanceOf(ArithmeticException.class)) { ... }
 *   System.err.println(e.remoteType() + ": " + e.remoteMessage());
 * }
 * }</pre>
 */
public class RemoteInvocationException extends RpycException {
  private static final long serialVersionUID = 1L;

  /** Name of the Java class of the remote exception, sent by rpyc-java peers. */
  public static final String ATTR_JAVA_CLASS = "_java_class";

  /** Comma-separated superclasses of the remote exception, sent by rpyc-java peers. */
  public static final String ATTR_JAVA_HIERARCHY = "_java_hierarchy";

  private final String remoteType;
  private final String remoteMessage;
  private final transient List<Object> remoteArgs;
  private final transient Map<String, Object> remoteAttributes;
  private final String remoteTraceback;

  /**
   * Creates the exception from the parts of an RPyC exception reply.
   *
   * @param remoteType the remote exception's full type name, e.g. {@code
   *     java.lang.IllegalStateException} or {@code builtins.ValueError}
   * @param remoteMessage the remote message, or {@code null}
   * @param remoteArgs the exception's arguments as sent (Python's {@code exc.args})
   * @param remoteAttributes the attributes as sent
   * @param remoteTraceback the remote stack trace text, or {@code null} when the peer withheld it
   */
  public RemoteInvocationException(
      String remoteType,
      String remoteMessage,
      List<Object> remoteArgs,
      Map<String, Object> remoteAttributes,
      String remoteTraceback) {
    super(
        remoteMessage == null || remoteMessage.isEmpty()
            ? remoteType
            : remoteType + ": " + remoteMessage,
        remoteTraceback == null ? null : new RemoteStackTrace(remoteTraceback));
    this.remoteType = Objects.requireNonNull(remoteType, "remoteType");
    this.remoteMessage = remoteMessage;
    this.remoteArgs = List.copyOf(remoteArgs);
    this.remoteAttributes = Map.copyOf(remoteAttributes);
    this.remoteTraceback = remoteTraceback;
  }

  /**
   * The remote exception's type name: a Java binary class name for a JVM peer ({@code
   * java.lang.ArithmeticException}), {@code module.Class} for a Python peer ({@code
   * builtins.ValueError}).
   */
  public String remoteType() {
    return remoteType;
  }

  /** The remote exception's message, or {@code null}. */
  public String remoteMessage() {
    return remoteMessage;
  }

  /** The remote exception's arguments (Python's {@code args}), by value. */
  public List<Object> remoteArgs() {
    return remoteArgs;
  }

  /** The attributes the peer sent with the exception, by value. */
  public Map<String, Object> remoteAttributes() {
    return remoteAttributes;
  }

  /** The remote stack trace as text, or {@code null} when the peer withheld it. */
  public String remoteTraceback() {
    return remoteTraceback;
  }

  /**
   * Whether the remote exception is of the named type or a subtype of it, judged by name: the
   * remote type and, for JVM peers, the superclass chain it sent.
   *
   * @param typeName a Java binary class name or a Python {@code module.Class} name
   */
  public boolean isInstanceOf(String typeName) {
    if (remoteType.equals(typeName)) {
      return true;
    }
    Object javaClass = remoteAttributes.get(ATTR_JAVA_CLASS);
    if (typeName.equals(javaClass)) {
      return true;
    }
    Object hierarchy = remoteAttributes.get(ATTR_JAVA_HIERARCHY);
    if (hierarchy instanceof String) {
      for (String name : ((String) hierarchy).split(",")) {
        if (name.equals(typeName)) {
          return true;
        }
      }
    }
    return false;
  }

  /** Whether the remote exception is an instance of {@code type}, judged by class names. */
  public boolean isInstanceOf(Class<? extends Throwable> type) {
    return isInstanceOf(type.getName());
  }

  /**
   * The remote stack trace, attached as the cause of a {@link RemoteInvocationException} so that it
   * prints with the local one. It has no local stack trace of its own.
   */
  public static final class RemoteStackTrace extends RuntimeException {
    private static final long serialVersionUID = 1L;

    RemoteStackTrace(String text) {
      super(text, null, false, false);
    }

    @Override
    public String toString() {
      return "remote stack trace:\n" + getMessage();
    }
  }
}
