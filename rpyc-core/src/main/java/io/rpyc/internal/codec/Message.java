package io.rpyc.internal.codec;

/**
 * One decoded RPyC message: {@code (type, seq, body)}, plus the rpyc-java call-chain id that only
 * JVM peers send (0 when absent). The body is raw brine: boxed values are still {@code (label,
 * payload)} tuples; the protocol layer unboxes them.
 */
public record Message(int type, long seq, Object body, long chain) {
  public static final int REQUEST = 1;
  public static final int REPLY = 2;
  public static final int EXCEPTION = 3;
}
