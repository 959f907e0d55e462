package io.rpyc.internal.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.rpyc.RemoteInvocationException;
import io.rpyc.Rpyc;
import io.rpyc.Tuple;
import io.rpyc.internal.codec.FrameDecoder;
import io.rpyc.internal.codec.FrameEncoder;
import io.rpyc.internal.codec.IdPack;
import io.rpyc.internal.codec.Message;
import io.rpyc.testing.Hex;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The spec's byte dumps of an exception reply (rpyc-5.3-wire.md §14.3) and of a DEL (§14.4),
 * checked against the code that produces them: {@link Vinegar} for exception bodies, {@link
 * ProtocolConnection#delBody} for DEL requests, both framed by {@link FrameEncoder} as the
 * connection frames them.
 */
class SpecDumpsTest {
  private static final int MAX = 1 << 20;

  private static String frame(int type, long seq, Object body) {
    ByteBuf f = FrameEncoder.encode(ByteBufAllocator.DEFAULT, type, seq, body, 0, false, true, MAX);
    try {
      byte[] out = new byte[f.readableBytes()];
      f.readBytes(out);
      return Hex.format(out);
    } finally {
      f.release();
    }
  }

  private static Message decodeFrame(byte[] frame) {
    ByteBuf buf = Unpooled.wrappedBuffer(frame);
    assertEquals(frame.length - 6, buf.getInt(0), "length field");
    assertEquals(0, buf.getByte(4), "uncompressed");
    assertEquals('\n', buf.getByte(frame.length - 1), "trailing newline");
    return new FrameDecoder(MAX, 64).decodePayload(buf.slice(5, frame.length - 6));
  }

  private static String ascii(String s) {
    return Hex.format(s.getBytes(StandardCharsets.UTF_8));
  }

  // ---- §14.3 exception reply

  /** The spec's traceback is elided ("…"); only its length (u32 0x20a = 522) is known. */
  private static String capturedTraceback() {
    StringBuilder tb =
        new StringBuilder(
            "Traceback (most recent call last):\n"
                + "  File \"/usr/lib/python3/dist-packages/rpyc/core/protocol.py\", ");
    while (tb.length() < 522) {
      tb.append('.');
    }
    return tb.toString();
  }

  @Test
  void capturedExceptionReply_encodesToTheCapturedBytes() {
    // (3, 9, (('builtins','ValueError'), ('boom', 42), (('add_note','<…>'),
    //         ('_remote_version','5.3.0')), 'Traceback …'))
    String addNote = "<built-in method add_note of ValueError object at 0x7f1d52dfa140>";
    Tuple body =
        Tuple.of(
            Tuple.of("builtins", "ValueError"),
            Tuple.of("boom", 42),
            Tuple.of(Tuple.of("add_note", addNote), Tuple.of("_remote_version", "5.3.0")),
            capturedTraceback());
    String expectedHead =
        Hex.format(
            Hex.parse(
                "00 00 02 a1 00   12 53 59 13"
                    + " 11 08 0e 08 \"builtins\" 08 0e 0a \"ValueError\""
                    + " 11 08 0d \"boom\" 7a"
                    + " 11 11 08 0e 08 \"add_note\" 08 0e 41 \""
                    + addNote
                    + "\""
                    + " 11 08 0e 0f \"_remote_version\" 08 0e 05 \"5.3.0\""
                    + " 08 0f 00 00 02 0a"));
    String expected = expectedHead + " " + ascii(capturedTraceback()) + " 0a";
    assertEquals(expected, frame(Message.EXCEPTION, 9, body));
  }

  @Test
  void capturedExceptionReply_loadsAsTheRemoteValueError() {
    String addNote = "<built-in method add_note of ValueError object at 0x7f1d52dfa140>";
    // the traceback holds quotes, which Hex.parse would take for its own: its bytes go in as hex
    byte[] wire =
        Hex.parse(
            "00 00 02 a1 00 12 53 59 13 11 08 0e 08 \"builtins\" 08 0e 0a \"ValueError\""
                + " 11 08 0d \"boom\" 7a 11 11 08 0e 08 \"add_note\" 08 0e 41 \""
                + addNote
                + "\" 11 08 0e 0f \"_remote_version\" 08 0e 05 \"5.3.0\" 08 0f 00 00 02 0a "
                + ascii(capturedTraceback())
                + " 0a");
    Message m = decodeFrame(wire);
    assertEquals(Message.EXCEPTION, m.type());
    assertEquals(9, m.seq());
    RemoteInvocationException e = Vinegar.load(m.body());
    assertEquals("builtins.ValueError", e.remoteType());
    assertEquals(List.of("boom", 42), e.remoteArgs());
    assertEquals("5.3.0", e.remoteAttributes().get("_remote_version"));
    assertEquals(addNote, e.remoteAttributes().get("add_note"));
    assertTrue(e.remoteTraceback().startsWith("Traceback (most recent call last):\n"));
    assertEquals(522, e.remoteTraceback().length());
  }

  @Test
  void ourExceptionReply_hasTheCapturedLayout() {
    // What a rpyc-java server sends a Python peer for the same failure (a ValueError raised by
    // the protocol layer, seq 9): the same 4-tuple, with our args, attrs and traceback text.
    Object body = Vinegar.dump(PyError.valueError("boom"), true, false);
    String expected =
        Hex.format(
            Hex.parse(
                "00 00 00 5e 00   12 53 59 13"
                    + " 11 08 0e 08 \"builtins\" 08 0e 0a \"ValueError\""
                    + " 10 08 0d \"boom\""
                    + " 10 11 08 0e 0f \"_remote_version\" 08 0e 0f \"5.3.0/rpyc-java\""
                    + " 08 0e 11 \"ValueError: boom\" 0a"
                    + " 0a"));
    assertEquals("5.3.0/rpyc-java", Rpyc.WIRE_VERSION, "the version the expected bytes spell");
    assertEquals(expected, frame(Message.EXCEPTION, 9, body));
  }

  @Test
  void ourExceptionReply_roundTripsThroughVinegar() {
    Object body = Vinegar.dump(new IllegalStateException("boom"), false, false);
    RemoteInvocationException e =
        Vinegar.load(decodeFrame(Hex.parse(frame(Message.EXCEPTION, 9, body))).body());
    assertEquals("java.lang.IllegalStateException", e.remoteType());
    assertEquals(List.of("boom"), e.remoteArgs());
    assertEquals(
        IllegalStateException.class.getName(),
        e.remoteAttributes().get(RemoteInvocationException.ATTR_JAVA_CLASS));
    assertEquals(null, e.remoteTraceback(), "traceback withheld: '<traceback denied>'");
  }

  @Test
  void stopIteration_isTheBareInt1() {
    // §14.3: StopIteration is just 12 53 <seq> 51
    Object body = Vinegar.dump(PyError.stopIteration(), true, false);
    assertEquals("00 00 00 04 00 12 53 59 51 0a", frame(Message.EXCEPTION, 9, body));
    assertEquals("builtins.StopIteration", Vinegar.load(body).remoteType());
  }

  // ---- §14.4 CALLATTR __len__ of a by-reference list, then its DEL

  private static final IdPack LIST = new IdPack("builtins.list", 9759744, 139763920677056L);
  private static final String LIST_ID =
      "12 08 0e 0d \"builtins.list\" 16 07 \"9759744\" 16 0f \"139763920677056\"";

  @Test
  void delRequest_matchesTheCapturedFrame() {
    // C->S (1, 15, (15, (2, ((3, list_id_pack), (1, 1)))))
    String captured =
        Hex.format(
            Hex.parse("00 00 00 38 00 12 51 5f 11 5f 11 52 11 11 53 " + LIST_ID + " 11 51 51 0a"));
    assertEquals(captured, frame(Message.REQUEST, 15, ProtocolConnection.delBody(LIST, 1)));
  }

  @Test
  void delRequest_decodesToTheHandleAndCount() {
    Message m =
        decodeFrame(
            Hex.parse("00 00 00 38 00 12 51 5f 11 5f 11 52 11 11 53 " + LIST_ID + " 11 51 51 0a"));
    assertEquals(Message.REQUEST, m.type());
    assertEquals(15, m.seq());
    assertEquals(
        Tuple.of(
            Handlers.DEL,
            Tuple.of(
                ProtocolConnection.LABEL_TUPLE,
                Tuple.of(
                    Tuple.of(
                        ProtocolConnection.LABEL_LOCAL_REF,
                        Tuple.of("builtins.list", 9759744, 139763920677056L)),
                    Tuple.of(ProtocolConnection.LABEL_VALUE, 1)))),
        m.body());
  }

  @Test
  void callattrLen_andTheReplies_matchTheCapturedFrames() {
    // C->S (1, 14, (8, (2, ((3, list_id_pack), (1, '__len__'), (1, ()), (1, ())))))
    Object[] callattr = {
      Handlers.CALLATTR,
      new Object[] {
        ProtocolConnection.LABEL_TUPLE,
        new Object[] {
          new Object[] {ProtocolConnection.LABEL_LOCAL_REF, LIST},
          new Object[] {ProtocolConnection.LABEL_VALUE, "__len__"},
          new Object[] {ProtocolConnection.LABEL_VALUE, Tuple.of()},
          new Object[] {ProtocolConnection.LABEL_VALUE, Tuple.of()}
        }
      }
    };
    assertEquals(
        Hex.format(
            Hex.parse(
                "00 00 00 47 00 12 51 5e 11 58 11 52 13 11 53 "
                    + LIST_ID
                    + " 11 51 08 0e 07 \"__len__\" 11 51 02 11 51 02 0a")),
        frame(Message.REQUEST, 14, callattr));
    // S->C (2, 14, (1, 3)) and, for the DEL, (2, 15, (1, None)): nobody waits for the latter
    assertEquals(
        "00 00 00 06 00 12 52 5e 11 51 53 0a",
        frame(Message.REPLY, 14, new Object[] {ProtocolConnection.LABEL_VALUE, 3}));
    assertEquals(
        "00 00 00 06 00 12 52 5f 11 51 00 0a",
        frame(Message.REPLY, 15, new Object[] {ProtocolConnection.LABEL_VALUE, null}));
    Message delReply = decodeFrame(Hex.parse("00 00 00 06 00 12 52 5f 11 51 00 0a"));
    assertEquals(new Message(Message.REPLY, 15, Tuple.of(1, null), 0), delReply);
  }
}
