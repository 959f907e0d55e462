package io.rpyc.internal.protocol;

/**
 * An error this side reports to the peer as one of Python's builtin exceptions ({@code
 * AttributeError}, {@code TypeError}, {@code KeyError}, ...), so that Python peers get the
 * exception their code expects ({@code hasattr} relies on {@code AttributeError}) and JVM peers see
 * RPyC's own vocabulary, the same from a Python or a Java server.
 */
final class PyError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String pythonType;

  private PyError(String pythonType, String message) {
    super(message, null, false, false);
    this.pythonType = pythonType;
  }

  /** The builtin exception's name, e.g. {@code AttributeError}. */
  String pythonType() {
    return pythonType;
  }

  static PyError attributeError(String message) {
    return new PyError("AttributeError", message);
  }

  static PyError cannotAccess(String name) {
    return new PyError("AttributeError", "cannot access '" + name + "'");
  }

  static PyError typeError(String message) {
    return new PyError("TypeError", message);
  }

  static PyError keyError(String message) {
    return new PyError("KeyError", message);
  }

  static PyError indexError(String message) {
    return new PyError("IndexError", message);
  }

  static PyError valueError(String message) {
    return new PyError("ValueError", message);
  }

  /** A server's refusal of the whole connection (its connection cap), see RefusingHandler. */
  static PyError connectionRefused(String message) {
    return new PyError("ConnectionRefusedError", message);
  }

  static PyError stopIteration() {
    return new PyError("StopIteration", null);
  }
}
