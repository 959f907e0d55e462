package io.rpyc.internal.codec;

/**
 * Brine tag bytes (RPyC 5.3, {@code rpyc/core/brine.py}) and the rpyc-java extension tags taken
 * from the range brine leaves unused ({@code 0xF0}–{@code 0xF7}). Extension tags are only ever
 * <em>written</em> to a peer that negotiated the Java extension, but are always accepted when read,
 * so decoding never depends on negotiation state.
 */
public final class Brine {
  public static final int TAG_NONE = 0x00;
  public static final int TAG_EMPTY_BYTES = 0x01;
  public static final int TAG_EMPTY_TUPLE = 0x02;
  public static final int TAG_TRUE = 0x03;
  public static final int TAG_FALSE = 0x04;
  public static final int TAG_NOT_IMPLEMENTED = 0x05;
  public static final int TAG_ELLIPSIS = 0x06;
  public static final int TAG_STR = 0x08;
  public static final int TAG_BYTES1 = 0x0a;
  public static final int TAG_BYTES2 = 0x0b;
  public static final int TAG_BYTES3 = 0x0c;
  public static final int TAG_BYTES4 = 0x0d;
  public static final int TAG_BYTES_S = 0x0e;
  public static final int TAG_BYTES_L = 0x0f;
  public static final int TAG_TUP1 = 0x10;
  public static final int TAG_TUP2 = 0x11;
  public static final int TAG_TUP3 = 0x12;
  public static final int TAG_TUP4 = 0x13;
  public static final int TAG_TUP_S = 0x14;
  public static final int TAG_TUP_L = 0x15;
  public static final int TAG_INT_S = 0x16;
  public static final int TAG_INT_L = 0x17;
  public static final int TAG_FLOAT = 0x18;
  public static final int TAG_SLICE = 0x19;
  public static final int TAG_FROZENSET = 0x1a;
  public static final int TAG_COMPLEX = 0x1b;

  /** First small-integer tag; value = tag - {@link #SMALL_INT_BIAS}. */
  public static final int TAG_SMALL_INT_FIRST = 0x20;

  public static final int TAG_SMALL_INT_LAST = 0xef;
  public static final int SMALL_INT_BIAS = 0x50;
  public static final int SMALL_INT_MIN = TAG_SMALL_INT_FIRST - SMALL_INT_BIAS; // -48
  public static final int SMALL_INT_MAX = TAG_SMALL_INT_LAST - SMALL_INT_BIAS; // 159

  // rpyc-java extension (docs/protocol.md, "Extension tags").
  /** {@code int}: 4 bytes, big-endian two's complement. */
  public static final int TAG_J_INT = 0xf0;

  /** {@code long}: 8 bytes. */
  public static final int TAG_J_LONG = 0xf1;

  /** {@code short}: 2 bytes. */
  public static final int TAG_J_SHORT = 0xf2;

  /** {@code byte}: 1 byte. */
  public static final int TAG_J_BYTE = 0xf3;

  /** {@code char}: 2 bytes, the UTF-16 code unit. */
  public static final int TAG_J_CHAR = 0xf4;

  /** {@code float}: 4 bytes, IEEE-754 single. */
  public static final int TAG_J_FLOAT = 0xf5;

  /** {@code BigInteger}: u32 length N, then N bytes of big-endian two's complement. */
  public static final int TAG_J_BIGINT = 0xf6;

  /** {@code BigDecimal}: i32 scale, then an unscaled value as {@link #TAG_J_BIGINT}'s payload. */
  public static final int TAG_J_BIGDEC = 0xf7;

  /** Python refuses to print integers longer than this many digits; we refuse to parse them. */
  public static final int MAX_DECIMAL_DIGITS = 4300;

  private Brine() {}
}
