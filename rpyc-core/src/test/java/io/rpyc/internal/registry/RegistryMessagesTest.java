package io.rpyc.internal.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.rpyc.Endpoint;
import io.rpyc.ProtocolViolationException;
import io.rpyc.Tuple;
import io.rpyc.testing.Hex;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The registry messages against the bytes captured from a live RPyC 5.3 registry (spec §15). */
class RegistryMessagesTest {
  private static final String REGISTER =
      "12 08 0d \"RPYC\" 08 0e 08 \"REGISTER\" 11 11 08 0d \"CALC\" 08 0e 0a \"CALCULATOR\""
          + " 16 05 \"18861\"";
  private static final String OK_REPLY = "08 0b \"OK\"";
  private static final String QUERY = "12 08 0d \"RPYC\" 08 0e 05 \"QUERY\" 10 08 0d \"calc\"";
  private static final String QUERY_REPLY = "10 11 08 0e 09 \"127.0.0.1\" 16 05 \"18861\"";
  private static final String LIST = "12 08 0d \"RPYC\" 08 0d \"LIST\" 10 10 00";
  private static final String LIST_REPLY = "11 08 0d \"CALC\" 08 0e 0a \"CALCULATOR\"";
  private static final String UNREGISTER =
      "12 08 0d \"RPYC\" 08 0e 0a \"UNREGISTER\" 10 16 05 \"18861\"";

  @Test
  void register_isWrittenExactlyAsRpyc() {
    assertEquals(
        Hex.format(Hex.parse(REGISTER)),
        Hex.format(RegistryMessages.register(List.of("CALC", "CALCULATOR"), 18861)));
  }

  @Test
  void query_isWrittenExactlyAsRpyc() {
    assertArrayEquals(Hex.parse(QUERY), RegistryMessages.query("calc"));
  }

  @Test
  void listWithoutFilter_isWrittenExactlyAsRpyc() {
    assertArrayEquals(Hex.parse(LIST), RegistryMessages.list(null));
  }

  @Test
  void unregister_isWrittenExactlyAsRpyc() {
    assertArrayEquals(Hex.parse(UNREGISTER), RegistryMessages.unregister(18861));
  }

  @Test
  void okReply_isWrittenExactlyAsRpyc() {
    assertArrayEquals(Hex.parse(OK_REPLY), RegistryMessages.encode(RegistryMessages.OK));
  }

  @Test
  void queryReply_isWrittenExactlyAsRpyc() {
    assertArrayEquals(
        Hex.parse(QUERY_REPLY), RegistryMessages.encode(Tuple.of(Tuple.of("127.0.0.1", 18861))));
  }

  @Test
  void listReply_andRefusal_areWrittenExactlyAsRpyc() {
    assertArrayEquals(
        Hex.parse(LIST_REPLY), RegistryMessages.encode(Tuple.of("CALC", "CALCULATOR")));
    assertArrayEquals(new byte[] {0x00}, RegistryMessages.encode(null));
  }

  @Test
  void capturedQueryReply_decodesToEndpoints() {
    assertEquals(
        List.of(new Endpoint("127.0.0.1", 18861)), RegistryMessages.endpoints(decode(QUERY_REPLY)));
    assertEquals(List.of(), RegistryMessages.endpoints(decode("02")));
  }

  @Test
  void capturedListReplies_decodeToNamesOrNull() {
    assertEquals(List.of("CALC", "CALCULATOR"), RegistryMessages.names(decode(LIST_REPLY)));
    assertNull(RegistryMessages.names(decode("00")));
  }

  @Test
  void capturedRequests_parseIntoCommandAndArguments() {
    RegistryMessages.Request register = RegistryMessages.request(decode(REGISTER));
    assertEquals("REGISTER", register.command());
    assertEquals(Tuple.of(Tuple.of("CALC", "CALCULATOR"), 18861), register.args());
    assertEquals(Tuple.of(Tuple.of((Object) null)), RegistryMessages.request(decode(LIST)).args());
  }

  @Test
  void commandNames_areCaseInsensitive() {
    byte[] lower = RegistryMessages.encode(Tuple.of("RPYC", "query", Tuple.of("calc")));
    assertEquals("QUERY", RegistryMessages.request(decode(lower)).command());
  }

  @Test
  void wrongMagic_orShape_isNotARequest() {
    assertThrows(
        ProtocolViolationException.class,
        () -> RegistryMessages.request(Tuple.of("RPYX", "QUERY", Tuple.of("calc"))));
    assertThrows(
        ProtocolViolationException.class,
        () -> RegistryMessages.request(Tuple.of("RPYC", "QUERY")));
    assertThrows(
        ProtocolViolationException.class,
        () -> RegistryMessages.request(Tuple.of("RPYC", 7, Tuple.of())));
    assertThrows(ProtocolViolationException.class, () -> RegistryMessages.request("RPYC"));
  }

  @Test
  void truncatedBytes_areAProtocolViolation() {
    byte[] query = Hex.parse(QUERY);
    for (int n = 0; n < query.length; n++) {
      int length = n;
      assertThrows(
          ProtocolViolationException.class, () -> RegistryMessages.decode(query, 0, length));
    }
  }

  @Test
  void malformedQueryReplies_areAProtocolViolation() {
    assertThrows(ProtocolViolationException.class, () -> RegistryMessages.endpoints("OK"));
    assertThrows(
        ProtocolViolationException.class,
        () -> RegistryMessages.endpoints(Tuple.of(Tuple.of("host", "18861"))));
    assertThrows(
        ProtocolViolationException.class,
        () -> RegistryMessages.endpoints(Tuple.of(Tuple.of("host", 70000))));
    assertThrows(ProtocolViolationException.class, () -> RegistryMessages.names(Tuple.of(1)));
  }

  private static Object decode(String dump) {
    return decode(Hex.parse(dump));
  }

  private static Object decode(byte[] bytes) {
    return RegistryMessages.decode(bytes, 0, bytes.length);
  }
}
