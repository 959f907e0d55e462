package io.rpyc.internal.codec;

import static io.rpyc.internal.codec.Brine.*;

import io.netty.buffer.ByteBuf;
import io.rpyc.PyValue;
import io.rpyc.Tuple;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes brine values. Stateless; {@code javaTypes} selects the rpyc-java extension tags (exact
 * primitive types, binary big numbers), which only a peer that negotiated the extension may
 * receive. Without them every value is written exactly as RPyC 5.3 would write the corresponding
 * Python value, always in the shortest form.
 *
 * <p>Accepted values: {@code null}, {@link Boolean}, {@link Byte}, {@link Short}, {@link Integer},
 * {@link Long}, {@link BigInteger}, {@link Float}, {@link Double}, {@link Character}, {@link
 * String}, {@code byte[]}, {@link Tuple}, {@code Object[]} (written as a tuple; used by the
 * protocol layer for its own structures), {@link IdPack}, {@link PyValue}s and, with {@code
 * javaTypes}, {@link BigDecimal}. Anything else is a programming error of the caller, which must
 * decide what goes by value before writing.
 */
public final class BrineWriter {
  private BrineWriter() {}

  /**
   * About how many bytes {@code value} encodes to, looking at most {@link #ESTIMATE_ITEMS} items
   * deep into arrays and tuples: enough to size a frame's buffer once for a large {@code byte[]} or
   * string instead of doubling it (and copying) twenty times. A guess: strings count one byte per
   * character, and whatever is not looked at counts nothing.
   */
  public static int estimateSize(Object value) {
    int[] budget = {ESTIMATE_ITEMS};
    long n = estimate(value, budget);
    return (int) Math.min(n, Integer.MAX_VALUE - 64);
  }

  /** Most items {@link #estimateSize} looks at. */
  static final int ESTIMATE_ITEMS = 64;

  private static long estimate(Object value, int[] budget) {
    if (--budget[0] < 0) {
      return 0;
    }
    if (value instanceof byte[]) {
      return ((byte[]) value).length + 5L;
    }
    if (value instanceof String) {
      return ((String) value).length() + 5L;
    }
    long n = 5;
    if (value instanceof Object[]) {
      for (Object item : (Object[]) value) {
        if (budget[0] <= 0) {
          break;
        }
        n += estimate(item, budget);
      }
    } else if (value instanceof Tuple) {
      Tuple t = (Tuple) value;
      for (int i = 0; i < t.size() && budget[0] > 0; i++) {
        n += estimate(t.get(i), budget);
      }
    } else {
      n = 9;
    }
    return n;
  }

  /** Appends the brine encoding of {@code value} to {@code out}. */
  public static void write(ByteBuf out, Object value, boolean javaTypes) {
    if (value == null) {
      out.writeByte(TAG_NONE);
    } else if (value instanceof String) {
      writeString(out, (String) value);
    } else if (value instanceof Integer) {
      writeInt(out, (Integer) value, javaTypes);
    } else if (value instanceof Object[]) {
      writeTuple(out, (Object[]) value, javaTypes);
    } else if (value instanceof Tuple) {
      writeTuple(out, (Tuple) value, javaTypes);
    } else if (value instanceof Boolean) {
      out.writeByte((Boolean) value ? TAG_TRUE : TAG_FALSE);
    } else if (value instanceof Long) {
      writeLong(out, (Long) value, javaTypes);
    } else if (value instanceof IdPack) {
      IdPack id = (IdPack) value;
      out.writeByte(TAG_TUP3);
      writeString(out, id.name());
      writeCompactLong(out, id.classId(), javaTypes);
      writeCompactLong(out, id.instanceId(), javaTypes);
    } else if (value instanceof byte[]) {
      writeBytes(out, (byte[]) value);
    } else if (value instanceof Double) {
      out.writeByte(TAG_FLOAT);
      out.writeDouble((Double) value);
    } else if (value instanceof BigInteger) {
      writeBigInteger(out, (BigInteger) value, javaTypes);
    } else if (value instanceof Short) {
      if (javaTypes) {
        out.writeByte(TAG_J_SHORT);
        out.writeShort((Short) value);
      } else {
        writeCompactLong(out, (Short) value, false);
      }
    } else if (value instanceof Byte) {
      if (javaTypes) {
        out.writeByte(TAG_J_BYTE);
        out.writeByte((Byte) value);
      } else {
        writeCompactLong(out, (Byte) value, false);
      }
    } else if (value instanceof Float) {
      if (javaTypes) {
        out.writeByte(TAG_J_FLOAT);
        out.writeFloat((Float) value);
      } else {
        out.writeByte(TAG_FLOAT);
        out.writeDouble((Float) value);
      }
    } else if (value instanceof Character) {
      if (javaTypes) {
        out.writeByte(TAG_J_CHAR);
        out.writeChar((Character) value);
      } else {
        writeString(out, String.valueOf((char) (Character) value));
      }
    } else if (value instanceof BigDecimal && javaTypes) {
      BigDecimal decimal = (BigDecimal) value;
      out.writeByte(TAG_J_BIGDEC);
      out.writeInt(decimal.scale());
      writeSizedBytes(out, decimal.unscaledValue().toByteArray());
    } else if (value instanceof PyValue) {
      writePyValue(out, (PyValue) value, javaTypes);
    } else {
      throw new IllegalArgumentException(
          "not a brine value: " + value.getClass().getName() + " (it must travel by reference)");
    }
  }

  private static void writePyValue(ByteBuf out, PyValue value, boolean javaTypes) {
    if (value instanceof PyValue.Complex) {
      PyValue.Complex c = (PyValue.Complex) value;
      out.writeByte(TAG_COMPLEX);
      out.writeDouble(c.real());
      out.writeDouble(c.imag());
    } else if (value instanceof PyValue.Slice) {
      PyValue.Slice s = (PyValue.Slice) value;
      out.writeByte(TAG_SLICE);
      writeTuple(out, new Object[] {s.start(), s.stop(), s.step()}, javaTypes);
    } else if (value instanceof PyValue.FrozenSet) {
      out.writeByte(TAG_FROZENSET);
      writeTuple(out, ((PyValue.FrozenSet) value).items().toArray(), javaTypes);
    } else if (value == PyValue.Constant.NOT_IMPLEMENTED) {
      out.writeByte(TAG_NOT_IMPLEMENTED);
    } else {
      out.writeByte(TAG_ELLIPSIS);
    }
  }

  /** Writes a Java {@code int}: one byte when small, else an exact int (extension) or decimal. */
  public static void writeInt(ByteBuf out, int v, boolean javaTypes) {
    if (v >= SMALL_INT_MIN && v <= SMALL_INT_MAX) {
      out.writeByte(v + SMALL_INT_BIAS);
    } else if (javaTypes) {
      out.writeByte(TAG_J_INT);
      out.writeInt(v);
    } else {
      writeDecimal(out, v);
    }
  }

  private static void writeLong(ByteBuf out, long v, boolean javaTypes) {
    if (javaTypes) {
      out.writeByte(TAG_J_LONG);
      out.writeLong(v);
    } else {
      writeCompactLong(out, v, false);
    }
  }

  /**
   * Writes an integer whose Java type the receiver does not care about (sequence numbers, ids,
   * handler codes) in the fewest bytes.
   */
  public static void writeCompactLong(ByteBuf out, long v, boolean javaTypes) {
    if (v >= SMALL_INT_MIN && v <= SMALL_INT_MAX) {
      out.writeByte((int) v + SMALL_INT_BIAS);
    } else if (javaTypes && v == (int) v) {
      out.writeByte(TAG_J_INT);
      out.writeInt((int) v);
    } else if (javaTypes) {
      out.writeByte(TAG_J_LONG);
      out.writeLong(v);
    } else {
      writeDecimal(out, v);
    }
  }

  private static void writeDecimal(ByteBuf out, long v) {
    byte[] digits = new byte[20];
    int pos = digits.length;
    boolean negative = v < 0;
    // Work with negative numbers so that Long.MIN_VALUE needs no special case.
    long n = negative ? v : -v;
    do {
      digits[--pos] = (byte) ('0' - (n % 10));
      n /= 10;
    } while (n != 0);
    if (negative) {
      digits[--pos] = '-';
    }
    out.writeByte(TAG_INT_S);
    out.writeByte(digits.length - pos);
    out.writeBytes(digits, pos, digits.length - pos);
  }

  private static void writeBigInteger(ByteBuf out, BigInteger v, boolean javaTypes) {
    if (javaTypes) {
      out.writeByte(TAG_J_BIGINT);
      writeSizedBytes(out, v.toByteArray());
    } else if (v.bitLength() < 64) {
      writeCompactLong(out, v.longValue(), false);
    } else {
      byte[] text = v.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      if (text.length <= 255) {
        out.writeByte(TAG_INT_S);
        out.writeByte(text.length);
      } else {
        out.writeByte(TAG_INT_L);
        out.writeInt(text.length);
      }
      out.writeBytes(text);
    }
  }

  private static void writeSizedBytes(ByteBuf out, byte[] bytes) {
    out.writeInt(bytes.length);
    out.writeBytes(bytes);
  }

  /**
   * Writes a {@code str}: tag 0x08 and the UTF-8 bytes as a nested brine bytes value. An unpaired
   * surrogate becomes {@code '?'}, as {@link String#getBytes} makes it.
   */
  public static void writeString(ByteBuf out, String s) {
    out.writeByte(TAG_STR);
    int n = s.length();
    if (!isAscii(s) || (!out.hasArray() && !out.hasMemoryAddress() && n > 64)) {
      // Not ASCII: the JDK's encoder, because Netty's writes an unpaired high surrogate as '?'
      // followed by the next character cut to one byte (invalid UTF-8, or the wrong character).
      // A long string into a chunked frame: Netty would write it a byte at a time (~5x slower).
      writeBytes(out, s.getBytes(StandardCharsets.UTF_8));
      return;
    }
    writeBytesHeader(out, n);
    if (n > 0) {
      out.writeCharSequence(s, StandardCharsets.US_ASCII);
    }
  }

  private static boolean isAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) >= 0x80) {
        return false;
      }
    }
    return true;
  }

  /** Writes a {@code bytes} value in its shortest form. */
  public static void writeBytes(ByteBuf out, byte[] bytes) {
    writeBytesHeader(out, bytes.length);
    out.writeBytes(bytes);
  }

  private static void writeBytesHeader(ByteBuf out, int length) {
    switch (length) {
      case 0:
        out.writeByte(TAG_EMPTY_BYTES);
        break;
      case 1:
        out.writeByte(TAG_BYTES1);
        break;
      case 2:
        out.writeByte(TAG_BYTES2);
        break;
      case 3:
        out.writeByte(TAG_BYTES3);
        break;
      case 4:
        out.writeByte(TAG_BYTES4);
        break;
      default:
        if (length <= 255) {
          out.writeByte(TAG_BYTES_S);
          out.writeByte(length);
        } else {
          out.writeByte(TAG_BYTES_L);
          out.writeInt(length);
        }
    }
  }

  private static void writeTupleHeader(ByteBuf out, int size) {
    switch (size) {
      case 0:
        out.writeByte(TAG_EMPTY_TUPLE);
        break;
      case 1:
        out.writeByte(TAG_TUP1);
        break;
      case 2:
        out.writeByte(TAG_TUP2);
        break;
      case 3:
        out.writeByte(TAG_TUP3);
        break;
      case 4:
        out.writeByte(TAG_TUP4);
        break;
      default:
        if (size <= 255) {
          out.writeByte(TAG_TUP_S);
          out.writeByte(size);
        } else {
          out.writeByte(TAG_TUP_L);
          out.writeInt(size);
        }
    }
  }

  private static void writeTuple(ByteBuf out, Object[] items, boolean javaTypes) {
    writeTupleHeader(out, items.length);
    for (Object item : items) {
      write(out, item, javaTypes);
    }
  }

  private static void writeTuple(ByteBuf out, List<?> items, boolean javaTypes) {
    int size = items.size();
    writeTupleHeader(out, size);
    for (int i = 0; i < size; i++) {
      write(out, items.get(i), javaTypes);
    }
  }
}
