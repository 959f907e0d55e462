package io.rpyc.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.Unpooled;
import io.rpyc.ProtocolViolationException;
import io.rpyc.Tuple;
import io.rpyc.internal.registry.RegistryMessages;
import io.rpyc.testing.Hex;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The registry's answers, byte for byte, to the requests captured from RPyC 5.3 (spec §15); and its
 * silence on everything else.
 */
class RegistryCommandsTest {
  private static final String REGISTER =
      "12 08 0d \"RPYC\" 08 0e 08 \"REGISTER\" 11 11 08 0d \"CALC\" 08 0e 0a \"CALCULATOR\""
          + " 16 05 \"18861\"";
  private static final String QUERY = "12 08 0d \"RPYC\" 08 0e 05 \"QUERY\" 10 08 0d \"calc\"";
  private static final String LIST = "12 08 0d \"RPYC\" 08 0d \"LIST\" 10 10 00";
  private static final String UNREGISTER =
      "12 08 0d \"RPYC\" 08 0e 0a \"UNREGISTER\" 10 16 05 \"18861\"";

  private final InetAddress localhost = InetAddress.getLoopbackAddress();
  private final RegistryTable table = new RegistryTable(Long.MAX_VALUE, System::nanoTime, 100);
  private final RegistryCommands listing = new RegistryCommands(table, true);
  private final RegistryCommands quiet = new RegistryCommands(table, false);

  @Test
  void capturedSession_getsTheCapturedReplies() {
    assertEquals("08 0b 4f 4b", reply(listing, Hex.parse(REGISTER)));
    assertEquals(
        Hex.format(Hex.parse("10 11 08 0e 09 \"127.0.0.1\" 16 05 \"18861\"")),
        reply(listing, Hex.parse(QUERY)));
    assertEquals(
        Hex.format(Hex.parse("11 08 0d \"CALC\" 08 0e 0a \"CALCULATOR\"")),
        reply(listing, Hex.parse(LIST)));
    assertEquals("08 0b 4f 4b", reply(listing, Hex.parse(UNREGISTER)));
    assertEquals("02", reply(listing, Hex.parse(QUERY)));
  }

  @Test
  void list_isAnsweredNone_whenListingIsDisabled() {
    reply(quiet, Hex.parse(REGISTER));
    assertEquals("00", reply(quiet, Hex.parse(LIST)));
  }

  @Test
  void list_canBeFilteredByHost() {
    reply(listing, Hex.parse(REGISTER));
    assertEquals("02", reply(listing, RegistryMessages.list("10.9.9.9")));
    assertEquals(
        Hex.format(RegistryMessages.encode(Tuple.of("CALC", "CALCULATOR"))),
        reply(listing, RegistryMessages.list("127.0.0.1")));
  }

  @Test
  void malformedRequests_getNoReply() {
    List<Tuple> requests =
        List.of(
            Tuple.of("RPYX", "QUERY", Tuple.of("calc")),
            Tuple.of("RPYC", "SHUTDOWN", Tuple.of()),
            Tuple.of("RPYC", "QUERY", Tuple.of()),
            Tuple.of("RPYC", "QUERY", Tuple.of(42)),
            Tuple.of("RPYC", "REGISTER", Tuple.of("CALC", 18861)),
            Tuple.of("RPYC", "REGISTER", Tuple.of(Tuple.of(1, 2), 18861)),
            Tuple.of("RPYC", "REGISTER", Tuple.of(Tuple.of("CALC"), 0)),
            Tuple.of("RPYC", "REGISTER", Tuple.of(Tuple.of("CALC"), 70000)),
            Tuple.of("RPYC", "REGISTER", Tuple.of(Tuple.of("CALC"), "18861")),
            Tuple.of("RPYC", "UNREGISTER", Tuple.of()),
            Tuple.of("RPYC", "LIST", Tuple.of(Tuple.of())),
            Tuple.of("RPYC", "LIST", Tuple.of(Tuple.of(5))));
    for (Tuple request : requests) {
      assertNull(
          listing.handle(Unpooled.wrappedBuffer(RegistryMessages.encode(request)), localhost),
          request.toString());
    }
    assertEquals(0, table.size(), "nothing was registered");
  }

  @Test
  void bytesThatAreNotBrine_areAProtocolViolation() {
    assertThrows(
        ProtocolViolationException.class,
        () -> listing.handle(Unpooled.wrappedBuffer(new byte[] {(byte) 0xff}), localhost));
    byte[] query = Hex.parse(QUERY);
    assertThrows(
        ProtocolViolationException.class,
        () -> listing.handle(Unpooled.wrappedBuffer(query, 0, query.length - 1), localhost));
  }

  private String reply(RegistryCommands commands, byte[] request) {
    return Hex.format(commands.handle(Unpooled.wrappedBuffer(request), localhost));
  }
}
