package io.rpyc.internal.codec;

import static io.rpyc.internal.codec.Brine.*;

import io.netty.buffer.ByteBuf;
import io.rpyc.ProtocolViolationException;
import io.rpyc.PyValue;
import io.rpyc.Tuple;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads one brine value from a buffer holding a complete frame payload.
 *
 * <p>Decoded types: {@code None} → {@code null}; {@code bool} → {@link Boolean}; {@code int} → the
 * narrowest of {@link Integer}, {@link Long}, {@link BigInteger}; {@code float} → {@link Double};
 * {@code str} → {@link String} (strict UTF-8); {@code bytes} → {@code byte[]}; {@code tuple} →
 * {@link Tuple}; {@code slice}, {@code frozenset}, {@code complex}, {@code NotImplemented}, {@code
 * Ellipsis} → {@link PyValue}s; extension tags → their exact Java type.
 *
 * <p>Every length is checked against the bytes actually present before anything is allocated, so a
 * hostile length field costs nothing; nesting is limited to {@code maxDepth}. Any violation throws
 * {@link ProtocolViolationException}.
 */
public final class BrineReader {
  private static final ThreadLocal<CharsetDecoder> UTF8 =
      ThreadLocal.withInitial(
          () ->
              StandardCharsets.UTF_8
                  .newDecoder()
                  .onMalformedInput(CodingErrorAction.REPORT)
                  .onUnmappableCharacter(CodingErrorAction.REPORT));

  /** Longest string looked up in, and kept in, {@link #STRINGS}. */
  private static final int MAX_CACHED_STRING = 64;

  /** Recently decoded short ASCII strings, shared by all connections (at most 1024 × 64 chars). */
  private static final CachedString[] STRINGS = new CachedString[1024];

  private static final ThreadLocal<byte[]> SCRATCH =
      ThreadLocal.withInitial(() -> new byte[MAX_CACHED_STRING]);

  private final ByteBuf in;
  private final int maxDepth;
  private byte[] scratch; // this thread's, once a string is read

  private BrineReader(ByteBuf in, int maxDepth) {
    this.in = in;
    this.maxDepth = maxDepth;
  }

  /**
   * Reads one value from {@code in}, advancing its reader index past it.
   *
   * @param maxDepth the deepest nesting of tuples allowed; the top level is depth 0
   */
  public static Object read(ByteBuf in, int maxDepth) {
    return new BrineReader(in, maxDepth).value(0);
  }

  private Object value(int depth) {
    int tag = u8();
    if (tag >= TAG_SMALL_INT_FIRST && tag <= TAG_SMALL_INT_LAST) {
      return tag - SMALL_INT_BIAS;
    }
    switch (tag) {
      case TAG_NONE:
        return null;
      case TAG_EMPTY_BYTES:
        return new byte[0];
      case TAG_EMPTY_TUPLE:
        return Tuple.of();
      case TAG_TRUE:
        return Boolean.TRUE;
      case TAG_FALSE:
        return Boolean.FALSE;
      case TAG_NOT_IMPLEMENTED:
        return PyValue.Constant.NOT_IMPLEMENTED;
      case TAG_ELLIPSIS:
        return PyValue.Constant.ELLIPSIS;
      case TAG_STR:
        return string();
      case TAG_BYTES1:
      case TAG_BYTES2:
      case TAG_BYTES3:
      case TAG_BYTES4:
        return bytes(tag - TAG_BYTES1 + 1);
      case TAG_BYTES_S:
        return bytes(u8());
      case TAG_BYTES_L:
        return bytes(u32("bytes length"));
      case TAG_TUP1:
      case TAG_TUP2:
      case TAG_TUP3:
      case TAG_TUP4:
        return tuple(tag - TAG_TUP1 + 1, depth);
      case TAG_TUP_S:
        return tuple(u8(), depth);
      case TAG_TUP_L:
        return tuple(u32("tuple length"), depth);
      case TAG_INT_S:
        return decimal(u8());
      case TAG_INT_L:
        return decimal(u32("integer length"));
      case TAG_FLOAT:
        need(8);
        return in.readDouble();
      case TAG_SLICE:
        {
          Object parts = value(depth + 1);
          if (!(parts instanceof Tuple) || ((Tuple) parts).size() != 3) {
            throw violation("a slice must hold a 3-tuple");
          }
          Tuple t = (Tuple) parts;
          return new PyValue.Slice(t.get(0), t.get(1), t.get(2));
        }
      case TAG_FROZENSET:
        {
          Object items = value(depth + 1);
          if (!(items instanceof Tuple)) {
            throw violation("a frozenset must hold a tuple");
          }
          return PyValue.FrozenSet.ofDistinct((Tuple) items); // never hashes what the peer chose
        }
      case TAG_COMPLEX:
        need(16);
        return new PyValue.Complex(in.readDouble(), in.readDouble());
      case TAG_J_INT:
        need(4);
        return in.readInt();
      case TAG_J_LONG:
        need(8);
        return in.readLong();
      case TAG_J_SHORT:
        need(2);
        return in.readShort();
      case TAG_J_BYTE:
        need(1);
        return in.readByte();
      case TAG_J_CHAR:
        need(2);
        return in.readChar();
      case TAG_J_FLOAT:
        need(4);
        return in.readFloat();
      case TAG_J_BIGINT:
        return bigInteger();
      case TAG_J_BIGDEC:
        {
          need(4);
          int scale = in.readInt();
          return new BigDecimal(bigInteger(), scale);
        }
      default:
        throw violation(String.format("unknown brine tag 0x%02x", tag));
    }
  }

  private int u8() {
    need(1);
    return in.readUnsignedByte();
  }

  private int u32(String what) {
    need(4);
    long n = in.readUnsignedInt();
    if (n > in.readableBytes()) {
      throw violation(what + " " + n + " exceeds the " + in.readableBytes() + " bytes left");
    }
    return (int) n;
  }

  private void need(int n) {
    if (in.readableBytes() < n) {
      throw violation(
          "truncated value: needs " + n + " more bytes, " + in.readableBytes() + " left");
    }
  }

  private byte[] bytes(int n) {
    need(n);
    byte[] b = new byte[n];
    in.readBytes(b);
    return b;
  }

  private Tuple tuple(int n, int depth) {
    if (depth >= maxDepth) {
      throw violation("values nested deeper than " + maxDepth + " levels");
    }
    // Every item takes at least one byte: refuse a count the payload cannot hold before allocating.
    if (n > in.readableBytes()) {
      throw violation("tuple of " + n + " items in " + in.readableBytes() + " bytes");
    }
    Object[] items = new Object[n];
    for (int i = 0; i < n; i++) {
      items[i] = value(depth + 1);
    }
    return Tuples.wrap(items);
  }

  private String string() {
    int tag = u8();
    int n;
    switch (tag) {
      case TAG_EMPTY_BYTES:
        return "";
      case TAG_BYTES1:
      case TAG_BYTES2:
      case TAG_BYTES3:
      case TAG_BYTES4:
        n = tag - TAG_BYTES1 + 1;
        break;
      case TAG_BYTES_S:
        n = u8();
        break;
      case TAG_BYTES_L:
        n = u32("string length");
        break;
      default:
        throw violation(String.format("a str must hold bytes, found tag 0x%02x", tag));
    }
    need(n);
    int start = in.readerIndex();
    in.skipBytes(n);
    if (n <= MAX_CACHED_STRING) {
      String ascii = cachedAscii(start, n);
      if (ascii != null) {
        return ascii;
      }
    } else if (isAscii(start, n)) {
      return in.toString(start, n, StandardCharsets.US_ASCII);
    }
    ByteBuffer nio = in.nioBuffer(start, n);
    try {
      CharBuffer chars = UTF8.get().reset().decode(nio);
      return chars.toString();
    } catch (CharacterCodingException e) {
      throw violation("invalid UTF-8 in a str", e);
    }
  }

  /**
   * The ASCII string of {@code n} bytes at {@code start}, from {@link #STRINGS} when it holds it
   * (method, type and class names recur in every request), or {@code null} if the bytes are not
   * ASCII. The bytes are copied out in one go: reading a pooled direct buffer byte by byte checks
   * its bounds and reference count at every byte.
   */
  private String cachedAscii(int start, int n) {
    byte[] buf = scratch;
    if (buf == null) {
      buf = scratch = SCRATCH.get();
    }
    in.getBytes(start, buf, 0, n);
    int h = 0;
    for (int i = 0; i < n; i++) {
      byte b = buf[i];
      if (b < 0) {
        return null;
      }
      h = 31 * h + b;
    }
    int slot = (h ^ (h >>> 16)) & (STRINGS.length - 1);
    CachedString cached = STRINGS[slot];
    if (cached != null
        && cached.bytes.length == n
        && Arrays.equals(cached.bytes, 0, n, buf, 0, n)) {
      return cached.string;
    }
    byte[] bytes = Arrays.copyOf(buf, n);
    String string = new String(bytes, StandardCharsets.ISO_8859_1); // ASCII: one byte per char
    STRINGS[slot] = new CachedString(string, bytes); // racy but safe: final fields
    return string;
  }

  /** A string of {@link #STRINGS} and its bytes. */
  private static final class CachedString {
    final String string;
    final byte[] bytes;

    CachedString(String string, byte[] bytes) {
      this.string = string;
      this.bytes = bytes;
    }
  }

  private boolean isAscii(int start, int n) {
    return in.forEachByte(start, n, b -> b >= 0) == -1; // no per-byte checks, unlike getByte
  }

  private Object decimal(int n) {
    if (n == 0 || n > MAX_DECIMAL_DIGITS + 1) {
      throw violation("integer of " + n + " characters");
    }
    need(n);
    int start = in.readerIndex();
    int i = start;
    int end = start + n;
    boolean negative = false;
    byte first = in.getByte(i);
    if (first == '-' || first == '+') {
      negative = first == '-';
      i++;
      if (i == end) {
        throw violation("integer without digits");
      }
    }
    if (end - i <= 18) {
      long v = 0;
      for (; i < end; i++) {
        int d = in.getByte(i) - '0';
        if (d < 0 || d > 9) {
          throw violation("invalid character in a decimal integer");
        }
        v = v * 10 + d;
      }
      in.skipBytes(n);
      v = negative ? -v : v;
      return v == (int) v ? (Object) (int) v : (Object) v;
    }
    for (int j = i; j < end; j++) {
      byte b = in.getByte(j);
      if (b < '0' || b > '9') {
        throw violation("invalid character in a decimal integer");
      }
    }
    String text = in.toString(start, n, StandardCharsets.US_ASCII);
    in.skipBytes(n);
    return narrow(new BigInteger(text));
  }

  private BigInteger bigInteger() {
    int n = u32("big integer length");
    if (n == 0) {
      throw violation("big integer without bytes");
    }
    return new BigInteger(bytes(n));
  }

  /** The narrowest of Integer, Long, BigInteger holding {@code v}. */
  static Object narrow(BigInteger v) {
    if (v.bitLength() < 32) {
      return v.intValue();
    }
    if (v.bitLength() < 64) {
      return v.longValue();
    }
    return v;
  }

  private ProtocolViolationException violation(String message) {
    return new ProtocolViolationException(message);
  }

  private ProtocolViolationException violation(String message, Throwable cause) {
    return new ProtocolViolationException(message, cause);
  }
}
