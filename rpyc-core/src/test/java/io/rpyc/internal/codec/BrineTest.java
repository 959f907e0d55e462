package io.rpyc.internal.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.rpyc.ProtocolViolationException;
import io.rpyc.PyValue;
import io.rpyc.Tuple;
import io.rpyc.testing.Hex;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BrineTest {

  private static byte[] encode(Object value, boolean javaTypes) {
    ByteBuf buf = Unpooled.buffer();
    try {
      BrineWriter.write(buf, value, javaTypes);
      byte[] out = new byte[buf.readableBytes()];
      buf.readBytes(out);
      return out;
    } finally {
      buf.release();
    }
  }

  private static Object decode(byte[] bytes) {
    ByteBuf buf = Unpooled.wrappedBuffer(bytes);
    Object value = BrineReader.read(buf, 64);
    assertFalse(buf.isReadable(), "decoder must consume exactly one value");
    return value;
  }

  private static void assertWire(String expectedHex, Object value) {
    assertEquals(expectedHex, Hex.format(encode(value, false)), "encoding of " + value);
  }

  // ---- the spec's examples (rpyc-5.3-wire.md §4.1)

  @Test
  void aString_encodesToTheSameBytes_inAnyBuffer_unpairedSurrogatesIncluded() {
    String pad = "x".repeat(70); // long enough for the chunked path too
    String[] texts = {
      "plain ascii",
      "h\u00e9llo",
      "\ud800\u00e9",
      "\ud800\u4e2d",
      "\ud800\ud800\udc00",
      "a\ud800b",
      "\udc00",
      "end\ud800",
      "\ud83c\udf89 pair"
    };
    for (String text : texts) {
      for (String s : new String[] {text, pad + text}) {
        byte[] expected = s.getBytes(StandardCharsets.UTF_8); // '?' for an unpaired surrogate
        ByteBuf heap = Unpooled.buffer();
        ByteBuf chunked = LargeFrames.buffer(Unpooled.buffer().alloc(), LargeFrames.THRESHOLD);
        try {
          for (ByteBuf out : new ByteBuf[] {heap, chunked}) {
            BrineWriter.writeString(out, s);
            byte[] written = new byte[out.readableBytes()];
            out.getBytes(out.readerIndex(), written);
            byte[] tail =
                Arrays.copyOfRange(written, written.length - expected.length, written.length);
            assertArrayEquals(expected, tail, "the bytes of " + s.codePoints().boxed().toList());
            assertEquals(new String(expected, StandardCharsets.UTF_8), BrineReader.read(out, 64));
          }
        } finally {
          heap.release();
          chunked.release();
        }
      }
    }
  }

  @Test
  void smallIntegers_areOneByte() {
    assertWire("50", 0);
    assertWire("20", -48);
    assertWire("ef", 159);
    assertWire("16 03 31 36 30", 160);
    assertWire("16 03 2d 34 39", -49);
  }

  @Test
  void largeIds_areDecimalText() {
    assertWire(
        "16 0f " + Hex.format("139763914070544".getBytes(StandardCharsets.US_ASCII)),
        139763914070544L);
  }

  @Test
  void decodedStrings_areRightEvenWhenTheyShareACacheSlot() {
    // "Aa" and "BB" have one String.hashCode, as do "AaAa", "AaBB", "BBAa" and "BBBB": the
    // decoder's string cache must compare characters, not just hashes
    List<String> strings = new ArrayList<>(List.of("Aa", "BB", "AaAa", "AaBB", "BBAa", "BBBB"));
    for (int i = 0; i < 5000; i++) {
      strings.add("name" + i); // more strings than the cache has slots
    }
    strings.add("x".repeat(64));
    strings.add("y".repeat(65)); // longer than the cache keeps
    strings.add("héllo"); // not ASCII
    for (int round = 0; round < 3; round++) {
      for (String s : strings) {
        Object decoded = decode(encode(s, false));
        assertEquals(s, decoded);
      }
    }
    assertSame(decode(encode("repeated", false)), decode(encode("repeated", false)));
  }

  @Test
  void tuplesWrapTheirArray_andNoOneElseCanInstallAWrapper() {
    Object[] items = {1, "a"};
    Tuple t = Tuples.wrap(items);
    assertEquals(Tuple.of(1, "a"), t);
    assertSame(Tuple.of(), Tuples.wrap(new Object[0]));
    assertThrows(IllegalStateException.class, () -> Tuples.install(array -> Tuple.of()));
  }

  @Test
  void theSizeEstimate_seesALargePayload_andLooksAtFewItems() {
    byte[] mib = new byte[1 << 20];
    Object body = new Object[] {1, new Object[] {new Object[] {"id", 7L, 8L}, "echo", mib}};
    int estimate = BrineWriter.estimateSize(body);
    assertTrue(estimate >= mib.length && estimate < mib.length + 100, "estimate " + estimate);
    // an encoded frame of it needs no more room than estimated (plus the frame's own bytes)
    assertTrue(encode(body, true).length <= estimate + 64);
    Object[] many = new Object[1_000_000];
    java.util.Arrays.fill(many, "x");
    assertTrue(BrineWriter.estimateSize(many) < 1000, "only the first items are looked at");
  }

  @Test
  void strings_areUtf8InsideBytes() {
    assertWire("08 01", "");
    assertWire("08 0c 61 64 64", "add");
    assertWire("08 0e 06 68 c3 a9 6c 6c 6f", "héllo");
  }

  @Test
  void echoArguments_matchCapturedFrame() {
    // §14.2: (('héllo', 1099511627776, 1.5, b'xy', None, True),)
    String captured =
        "10 14 06 08 0e 06 68 c3 a9 6c 6c 6f 16 0d 31 30 39 39 35 31 31 36 32 37 37 37 36 18 3f f8"
            + " 00 00 00 00 00 00 0b 78 79 00 03";
    Tuple value =
        Tuple.of(
            Tuple.of(
                "héllo",
                1099511627776L,
                1.5,
                "xy".getBytes(StandardCharsets.US_ASCII),
                null,
                true));
    assertEquals(captured, Hex.format(encode(value, false)));
    Tuple decoded = (Tuple) decode(Hex.parse(captured));
    Tuple inner = (Tuple) decoded.get(0);
    assertEquals("héllo", inner.get(0));
    assertEquals(1099511627776L, inner.get(1));
    assertEquals(1.5, inner.get(2));
    assertArrayEquals("xy".getBytes(StandardCharsets.US_ASCII), (byte[]) inner.get(3));
    assertNull(inner.get(4));
    assertEquals(true, inner.get(5));
  }

  @Test
  void getrootRequest_matchesCapturedPayload() {
    // §14.1: (1, 0, (3, (1, ())))
    Object message = new Object[] {1, 0, new Object[] {3, new Object[] {1, Tuple.of()}}};
    assertEquals("12 51 50 11 53 11 51 02", Hex.format(encode(message, false)));
  }

  @Test
  void getrootReply_decodesToIdPack() {
    byte[] payload =
        Hex.parse(
            "12 52 50 11 54 12 08 0e 14 \"__main__.CalcService\" 16 08 \"53945584\" 16 0f \"139763914070544\"");
    Tuple t = (Tuple) decode(payload);
    assertEquals(List.of(2, 0), t.subList(0, 2));
    Tuple body = (Tuple) t.get(2);
    assertEquals(4, body.get(0));
    assertEquals(Tuple.of("__main__.CalcService", 53945584, 139763914070544L), body.get(1));
  }

  @Test
  void idPack_encodesAsTriple() {
    IdPack id = new IdPack("builtins.method", 9783776, 139763914073792L);
    assertEquals(
        "12 08 0e 0f "
            + Hex.format("builtins.method".getBytes(StandardCharsets.US_ASCII))
            + " 16 07 "
            + Hex.format("9783776".getBytes(StandardCharsets.US_ASCII))
            + " 16 0f "
            + Hex.format("139763914073792".getBytes(StandardCharsets.US_ASCII)),
        Hex.format(encode(id, false)));
  }

  @Test
  void registryRegister_matchesCapturedBytes() {
    // §15: ("RPYC", "REGISTER", (("CALC", "CALCULATOR"), 18861))
    String captured =
        "12 08 0d \"RPYC\" 08 0e 08 \"REGISTER\" 11 11 08 0d \"CALC\" 08 0e 0a \"CALCULATOR\" 16 05 \"18861\"";
    Object value = Tuple.of("RPYC", "REGISTER", Tuple.of(Tuple.of("CALC", "CALCULATOR"), 18861));
    assertArrayEquals(Hex.parse(captured), encode(value, false));
  }

  @Test
  void pingRequest_matchesCapturedPayload() {
    // §14.5: (1, 22, (1, (1, (b'xyz',))))
    Object message =
        new Object[] {
          1,
          22,
          new Object[] {
            1, new Object[] {1, new Object[] {"xyz".getBytes(StandardCharsets.US_ASCII)}}
          }
        };
    assertEquals("12 51 66 11 51 11 51 10 0c 78 79 7a", Hex.format(encode(message, false)));
  }

  // ---- every tag round trips

  @Test
  void everyPlainTag_roundTrips() {
    Object[] values = {
      null,
      new byte[0],
      Tuple.of(),
      true,
      false,
      PyValue.Constant.NOT_IMPLEMENTED,
      PyValue.Constant.ELLIPSIS,
      "text",
      new byte[] {1},
      new byte[] {1, 2},
      new byte[] {1, 2, 3},
      new byte[] {1, 2, 3, 4},
      new byte[200],
      new byte[70_000],
      Tuple.of(1),
      Tuple.of(1, 2),
      Tuple.of(1, 2, 3),
      Tuple.of(1, 2, 3, 4),
      Tuple.of(1, 2, 3, 4, 5),
      Tuple.copyOf(Arrays.asList(new Object[300])),
      12345,
      -12345,
      Long.MAX_VALUE,
      Long.MIN_VALUE,
      new BigInteger("1" + "0".repeat(300)),
      1.25,
      Double.NaN,
      Double.NEGATIVE_INFINITY,
      new PyValue.Slice(1, null, 2),
      new PyValue.FrozenSet(Set.of(1, 2, 3)),
      new PyValue.Complex(1.5, -2.0),
    };
    for (Object v : values) {
      Object back = decode(encode(v, false));
      if (v instanceof byte[]) {
        assertArrayEquals((byte[]) v, (byte[]) back);
      } else if (v instanceof Double && ((Double) v).isNaN()) {
        assertTrue(((Double) back).isNaN());
      } else {
        assertEquals(v, back, "round trip of " + v);
      }
    }
  }

  @Test
  void longStrings_useTheLongBytesForm() {
    String s = "x".repeat(300);
    byte[] wire = encode(s, false);
    assertEquals(0x08, wire[0]);
    assertEquals(0x0f, wire[1]);
    assertEquals(s, decode(wire));
  }

  @Test
  void plainMode_narrowsIntegers_andDropsJavaTypes() {
    assertEquals(7, decode(encode((short) 7, false)));
    assertEquals(7, decode(encode((byte) 7, false)));
    assertEquals(7, decode(encode(7L, false)));
    assertEquals(3_000_000_000L, decode(encode(3_000_000_000L, false)));
    assertEquals(1.5, decode(encode(1.5f, false)));
    assertEquals("c", decode(encode('c', false)));
    assertEquals(5, decode(encode(BigInteger.valueOf(5), false)));
  }

  @Test
  void javaTypes_keepExactPrimitiveTypes() {
    Object[] values = {
      (short) 7,
      (byte) -3,
      7L,
      100_000,
      'é',
      1.5f,
      2.5,
      BigInteger.valueOf(5),
      new BigInteger("-123456789012345678901234567890"),
      new BigDecimal("3.14159"),
      Long.MIN_VALUE,
      Integer.MIN_VALUE
    };
    for (Object v : values) {
      Object back = decode(encode(v, true));
      assertEquals(v, back, "round trip of " + v);
      assertEquals(v.getClass(), back.getClass(), "type of " + v);
    }
  }

  @Test
  void javaTypes_smallIntStaysOneByte() {
    assertEquals("55", Hex.format(encode(5, true)));
    assertEquals("f0 00 00 01 00", Hex.format(encode(256, true)));
  }

  @Test
  void readerAcceptsNonShortestForms() {
    assertEquals("abc", decode(Hex.parse("08 0e 03 61 62 63")));
    assertEquals(Tuple.of(1), decode(Hex.parse("14 01 51")));
    assertEquals(5, decode(Hex.parse("16 01 35")));
    assertEquals(5, decode(Hex.parse("16 02 2b 35")));
  }

  // ---- bad input

  @ParameterizedTest
  @ValueSource(strings = {"07", "09", "1c", "1f", "f8", "ff"})
  void unknownTag_isAViolation(String tag) {
    ProtocolViolationException e =
        assertThrows(ProtocolViolationException.class, () -> decode(Hex.parse(tag)));
    assertTrue(e.getMessage().contains("unknown brine tag"), e.getMessage());
  }

  @Test
  void truncatedValues_areViolations() {
    for (String dump :
        new String[] {"", "0e 05 61", "0f 00 00", "18 00 00", "12 51", "08", "16 05 31", "f1 00"}) {
      assertThrows(ProtocolViolationException.class, () -> decode(Hex.parse(dump)), dump);
    }
  }

  @Test
  void hostileLengths_failBeforeAllocating() {
    // a 4 GB bytes value and a 4-billion-item tuple in a few bytes
    ProtocolViolationException bytes =
        assertThrows(
            ProtocolViolationException.class, () -> decode(Hex.parse("0f ff ff ff ff 00")));
    assertTrue(bytes.getMessage().contains("exceeds"), bytes.getMessage());
    ProtocolViolationException tuple =
        assertThrows(
            ProtocolViolationException.class, () -> decode(Hex.parse("15 ff ff ff ff 00")));
    assertTrue(tuple.getMessage().contains("exceeds"), tuple.getMessage());
  }

  @Test
  void invalidUtf8_isAViolation() {
    ProtocolViolationException e =
        assertThrows(ProtocolViolationException.class, () -> decode(Hex.parse("08 0b c3 28")));
    assertTrue(e.getMessage().contains("UTF-8"));
  }

  @Test
  void deepNesting_isAViolation() {
    byte[] deep = new byte[100];
    Arrays.fill(deep, (byte) 0x10);
    deep[99] = 0x00;
    ProtocolViolationException e =
        assertThrows(ProtocolViolationException.class, () -> decode(deep));
    assertTrue(e.getMessage().contains("nested deeper"), e.getMessage());
  }

  @Test
  void badDecimal_isAViolation() {
    assertThrows(ProtocolViolationException.class, () -> decode(Hex.parse("16 02 31 61")));
    assertThrows(ProtocolViolationException.class, () -> decode(Hex.parse("16 01 2d")));
    assertThrows(ProtocolViolationException.class, () -> decode(Hex.parse("16 00")));
  }

  @Test
  void hugeDecimal_isRefused() {
    byte[] digits = new byte[5 + 5000];
    digits[0] = 0x17;
    digits[1] = 0;
    digits[2] = 0;
    digits[3] = (byte) (5000 >> 8);
    digits[4] = (byte) (5000 & 0xff);
    Arrays.fill(digits, 5, digits.length, (byte) '7');
    assertThrows(ProtocolViolationException.class, () -> decode(digits));
  }

  @Test
  void tuplesDecodeAsTuples() {
    Object v = decode(encode(Tuple.of("a", Tuple.of(1, 2.0)), false));
    assertInstanceOf(Tuple.class, v);
    assertEquals("(a, (1, 2.0))", v.toString());
  }

  @Test
  void notABrineValue_isRefusedByTheWriter() {
    assertThrows(IllegalArgumentException.class, () -> encode(new Object(), false));
    assertThrows(IllegalArgumentException.class, () -> encode(new BigDecimal("1.5"), false));
  }

  @Test
  void aFrozensetOfCollidingItems_decodesInLinearTime() {
    // 32,000 distinct 2-tuples with one hash code (31a + b constant): hashing them into a set
    // took 30 s on an I/O thread for a 0.5 MB frame, and grows quadratically with the frame
    ByteBuf in = Unpooled.buffer();
    int n = 32_000;
    in.writeByte(Brine.TAG_FROZENSET).writeByte(Brine.TAG_TUP_L).writeInt(n);
    for (int k = 0; k < n; k++) {
      in.writeByte(Brine.TAG_TUP2);
      for (long v : new long[] {k, -31L * k}) {
        byte[] digits = Long.toString(v).getBytes(StandardCharsets.US_ASCII);
        in.writeByte(Brine.TAG_INT_S).writeByte(digits.length).writeBytes(digits);
      }
    }
    try {
      long start = System.nanoTime();
      PyValue.FrozenSet set = (PyValue.FrozenSet) BrineReader.read(in, 64);
      long ms = (System.nanoTime() - start) / 1_000_000;
      assertEquals(n, set.items().size());
      assertEquals(Tuple.of(1, -31), set.items().stream().skip(1).findFirst().orElseThrow());
      assertTrue(ms < 3000, "decoded in " + ms + " ms");
    } finally {
      in.release();
    }
  }
}
