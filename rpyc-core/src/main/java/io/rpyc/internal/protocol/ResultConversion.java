package io.rpyc.internal.protocol;

import io.rpyc.RemoteRef;

/** Converts a call's result to the type the caller asked for. */
final class ResultConversion {
  private ResultConversion() {}

  @SuppressWarnings("unchecked")
  static <T> T convert(ProtocolConnection conn, Object value, Class<T> type) {
    if (value == null) {
      if (type.isPrimitive()) {
        throw new NullPointerException("the remote method returned null for a " + type + " result");
      }
      return null;
    }
    if (type.isInstance(value)) {
      return type.cast(value);
    }
    if (type.isPrimitive() && Conversions.isBoxOf(value, type)) {
      return (T) value; // the common case of a typed call: an Integer for an int method
    }
    if (value instanceof RemoteRef && type.isInterface()) {
      return type.cast(conn.proxy((RemoteRef) value, type));
    }
    if (Conversions.cost(value, type, conn) != Conversions.NO) {
      return (T) Conversions.convert(value, type, conn);
    }
    throw new ClassCastException(
        "the result " + Conversions.typeName(value) + " cannot be converted to " + type.getName());
  }
}
