package io.rpyc.internal.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.rpyc.ProtocolViolationException;
import io.rpyc.testing.Allocations;

/**
 * Fuzzes {@link BrineReader#read} with arbitrary bytes: it returns a value or throws {@link
 * ProtocolViolationException}, nothing else; it never reads past the buffer; a value it returns
 * survives a round trip through {@link BrineWriter}; and what it allocates is bounded by a constant
 * times the input (hostile length and count fields cost nothing).
 *
 * <p>Without {@code JAZZER_FUZZ} this replays the seed corpus in {@code
 * BrineReaderFuzzTestInputs/}; for a long run see docs/security.md.
 */
class BrineReaderFuzzTest {
  /** Bytes of heap one input byte may cost, at most (a 1-tuple per byte costs about 60). */
  static final long BYTES_PER_INPUT_BYTE = 256;

  /** Fixed allowance per input: decoders, a BigInteger's scratch space. */
  static final long FIXED_ALLOWANCE = 256 << 10;

  static {
    // Class loading and initialization allocate too; get them out of the way of the measurement.
    for (String hex :
        new String[] {
          "12 51 50 11 53 11 51 02",
          "08 0e 06 68 c3 a9 6c 6c 6f",
          "16 03 31 36 30",
          "07",
          "08 0b c3 28",
          "16 14 31 32 33 34 35 36 37 38 39 30 31 32 33 34 35 36 37 38 39 30",
          "1a 10 50",
          "19 12 00 00 00",
          "1b",
          "f7 00 00 00 01 00 00 00 01 05",
          "15 ff ff ff ff",
          "18"
        }) {
      try {
        Object v = BrineReader.read(Unpooled.wrappedBuffer(io.rpyc.testing.Hex.parse(hex)), 64);
        ByteBuf out = Unpooled.buffer();
        BrineWriter.write(out, v, true);
        Values.normalize(BrineReader.read(out, 64));
      } catch (ProtocolViolationException e) {
        // expected for some
      }
    }
  }

  private static Object decode(ByteBuf in) {
    try {
      return BrineReader.read(in, 64);
    } catch (ProtocolViolationException e) {
      return e;
    }
  }

  @FuzzTest(maxDuration = "30s")
  void readsAValueOrRefusesIt(byte[] data) {
    ByteBuf in = Unpooled.wrappedBuffer(data);
    Object value = decode(in);
    long allocated = Allocations.of(() -> decode(Unpooled.wrappedBuffer(data)));
    assertTrue(
        allocated <= FIXED_ALLOWANCE + BYTES_PER_INPUT_BYTE * data.length,
        () -> allocated + " bytes allocated decoding " + data.length + " bytes");
    assertTrue(in.readerIndex() <= data.length);
    if (!(value instanceof ProtocolViolationException)) {
      int consumed = in.readerIndex();
      ByteBuf encoded = Unpooled.buffer();
      try {
        BrineWriter.write(encoded, value, true);
        // whatever form the input used, the value re-encodes to something that decodes equal
        Object back = BrineReader.read(encoded, 64);
        assertEquals(Values.normalize(value), Values.normalize(back), "round trip");
        assertTrue(consumed > 0);
      } finally {
        encoded.release();
      }
    }
  }
}
