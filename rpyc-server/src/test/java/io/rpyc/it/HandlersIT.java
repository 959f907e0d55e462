package io.rpyc.it;

import static io.rpyc.testing.RawPeer.localRef;
import static io.rpyc.testing.RawPeer.tuple;
import static io.rpyc.testing.RawPeer.value;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rpyc.Connection;
import io.rpyc.Tuple;
import io.rpyc.internal.codec.IdPack;
import io.rpyc.internal.codec.Message;
import io.rpyc.internal.protocol.Handlers;
import io.rpyc.server.RpycServer;
import io.rpyc.testing.Hex;
import io.rpyc.testing.RawPeer;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.Deflater;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every handler over a real socket, spoken frame by frame; and malformed input. */
class HandlersIT {
  private final ServerFixture fixture = new ServerFixture();
  private RpycServer server;
  private RawPeer peer;
  private IdPack root;

  @BeforeEach
  void start() throws Exception {
    server = fixture.start(TestService::new);
    peer = RawPeer.connect("127.0.0.1", server.port());
    root = RawPeer.idPackOf(reply(peer.call(Handlers.GETROOT, value(Tuple.of()))));
  }

  @AfterEach
  void stop() throws Exception {
    peer.close();
    fixture.close();
  }

  private static Object reply(Message m) {
    assertEquals(Message.REPLY, m.type(), () -> "expected a reply, got " + m);
    return m.body();
  }

  private static Object valueOf(Message m) {
    Tuple boxed = (Tuple) reply(m);
    assertEquals(RawPeer.VALUE, boxed.get(0), () -> "expected a value, got " + boxed);
    return boxed.get(1);
  }

  /** Asserts an exception reply of the given Python builtin type; returns its message. */
  private static String exception(Message m, String type) {
    assertEquals(Message.EXCEPTION, m.type(), () -> "expected an exception, got " + m);
    Tuple body = (Tuple) m.body();
    assertEquals(Tuple.of("builtins", type), body.get(0), () -> "exception " + body);
    Tuple args = (Tuple) body.get(1);
    return args.isEmpty() ? "" : String.valueOf(args.get(0));
  }

  private Message callattr(IdPack target, String name, Object... args) throws Exception {
    return peer.call(
        Handlers.CALLATTR,
        tuple(localRef(target), value(name), value(Tuple.of(args)), value(Tuple.of())));
  }

  private IdPack ref(Message m) {
    return RawPeer.idPackOf(reply(m));
  }

  private void assertStillServing() throws Exception {
    try (Connection other = fixture.connect(server)) {
      assertEquals(3, other.root().call("add", 1, 2));
    }
  }

  // ---------------------------------------------------------------- the 20 handlers

  @Test
  void ping_echoesItsArgument() throws Exception {
    Message echo = peer.call(Handlers.PING, value(Tuple.of((Object) new byte[] {1, 2})));
    assertArrayEquals(new byte[] {1, 2}, (byte[]) valueOf(echo));
  }

  @Test
  void getroot_exportsTheService() {
    assertEquals("io.rpyc.it.TestService", root.name());
  }

  @Test
  void getattr_readsExposedFields_andBindsMethods() throws Exception {
    assertEquals(
        5, valueOf(peer.call(Handlers.GETATTR, tuple(localRef(root), value("exposedField")))));
    IdPack method = ref(peer.call(Handlers.GETATTR, tuple(localRef(root), value("add"))));
    assertEquals("builtins.method", method.name());
    // CALL: (obj, args, kwargs), kwargs may be omitted
    assertEquals(
        3,
        valueOf(
            peer.call(
                Handlers.CALL, tuple(localRef(method), value(Tuple.of(1, 2)), value(Tuple.of())))));
    assertEquals(
        5, valueOf(peer.call(Handlers.CALL, tuple(localRef(method), value(Tuple.of(2, 3))))));
  }

  @Test
  void callattr_callsInOneRoundTrip() throws Exception {
    assertEquals(3, valueOf(callattr(root, "add", 1, 2)));
    String message =
        exception(
            peer.call(
                Handlers.CALLATTR,
                tuple(
                    localRef(root),
                    value("add"),
                    value(Tuple.of(1, 2)),
                    value(Tuple.of(Tuple.of("x", 1))))),
            "TypeError");
    assertTrue(message.contains("keyword"), message);
  }

  @Test
  void setattr_andDelattr_areRefusedOnServices() throws Exception {
    exception(
        peer.call(Handlers.SETATTR, tuple(localRef(root), value("exposedField"), value(1))),
        "AttributeError");
    exception(
        peer.call(Handlers.DELATTR, tuple(localRef(root), value("exposedField"))),
        "AttributeError");
  }

  @Test
  void repr_str_hash_cmp_dir() throws Exception {
    IdPack list = ref(callattr(root, "list", "a", "b"));
    assertEquals("[a, b]", valueOf(peer.call(Handlers.REPR, tuple(localRef(list)))));
    assertEquals("[a, b]", valueOf(peer.call(Handlers.STR, tuple(localRef(list)))));
    assertEquals(
        List.of("a", "b").hashCode(), valueOf(peer.call(Handlers.HASH, tuple(localRef(list)))));
    assertEquals(
        true,
        valueOf(peer.call(Handlers.CMP, tuple(localRef(list), localRef(list), value("__eq__")))));
    assertEquals(
        false, valueOf(peer.call(Handlers.CMP, tuple(localRef(list), value(1), value("__eq__")))));
    Tuple names = (Tuple) valueOf(peer.call(Handlers.DIR, tuple(localRef(root))));
    assertTrue(names.contains("add") && !names.contains("secret"), names.toString());
  }

  @Test
  void pickle_isAlwaysRefused() throws Exception {
    String message =
        exception(peer.call(Handlers.PICKLE, tuple(localRef(root), value(4))), "ValueError");
    assertTrue(message.contains("pickling is disabled"), message);
  }

  @Test
  void del_releasesAReference_andAnUnknownIdIsAKeyError() throws Exception {
    IdPack holder = ref(callattr(root, "holder"));
    assertEquals(8, valueOf(callattr(holder, "twice", 4)));
    assertEquals(null, valueOf(peer.call(Handlers.DEL, tuple(localRef(holder), value(1)))));
    exception(callattr(holder, "twice", 4), "KeyError");
    exception(peer.call(Handlers.DEL, tuple(localRef(holder), value(1))), "KeyError");
  }

  @Test
  void del_countsReferences() throws Exception {
    IdPack holder = ref(callattr(root, "holder"));
    // echo(holder) hands it back: exported twice, so DEL(1) leaves one reference
    IdPack again =
        ref(
            peer.call(
                Handlers.CALLATTR,
                tuple(localRef(root), value("echo"), tuple(localRef(holder)), value(Tuple.of()))));
    assertEquals(holder, again);
    valueOf(peer.call(Handlers.DEL, tuple(localRef(holder), value(1))));
    assertEquals(8, valueOf(callattr(holder, "twice", 4)));
    valueOf(peer.call(Handlers.DEL, tuple(localRef(holder), value(1))));
    exception(callattr(holder, "twice", 4), "KeyError");
  }

  @Test
  void inspect_listsCallableNames() throws Exception {
    Tuple methods =
        (Tuple)
            valueOf(
                peer.call(
                    Handlers.INSPECT,
                    value(Tuple.of(Tuple.of(root.name(), root.classId(), root.instanceId())))));
    List<Object> names = new ArrayList<>();
    for (Object pair : methods) {
      names.add(((Tuple) pair).get(0));
    }
    assertTrue(names.contains("add"), names.toString());
    assertTrue(!names.contains("exposedField"), "fields are not listed as methods");
    IdPack list = ref(callattr(root, "list", "a"));
    Tuple listMethods =
        (Tuple)
            valueOf(
                peer.call(
                    Handlers.INSPECT,
                    value(Tuple.of(Tuple.of(list.name(), list.classId(), list.instanceId())))));
    assertTrue(listMethods.toString().contains("__len__"), listMethods.toString());
    exception(
        peer.call(Handlers.INSPECT, value(Tuple.of(Tuple.of("x.Y", 1, 999_999)))), "KeyError");
  }

  @Test
  void buffiter_returnsBatchesThenAnEmptyTuple() throws Exception {
    IdPack list = ref(callattr(root, "range", 5));
    IdPack it = ref(callattr(list, "__iter__"));
    assertEquals(
        Tuple.of(0, 1, 2), valueOf(peer.call(Handlers.BUFFITER, tuple(localRef(it), value(3)))));
    assertEquals(
        Tuple.of(3, 4), valueOf(peer.call(Handlers.BUFFITER, tuple(localRef(it), value(3)))));
    assertEquals(Tuple.of(), valueOf(peer.call(Handlers.BUFFITER, tuple(localRef(it), value(3)))));
    Message stop = callattr(it, "__next__");
    assertEquals(Message.EXCEPTION, stop.type());
    assertEquals(1, stop.body(), "StopIteration is the bare int 1");
  }

  @Test
  void oldslicing_slicesACopy() throws Exception {
    IdPack list = ref(callattr(root, "range", 10));
    IdPack slice =
        ref(
            peer.call(
                Handlers.OLDSLICING,
                tuple(
                    localRef(list),
                    value("__getitem__"),
                    value("__getslice__"),
                    value(2),
                    value(5),
                    value(Tuple.of()))));
    assertEquals(3, valueOf(callattr(slice, "__len__")));
    assertEquals(4, valueOf(callattr(slice, "__getitem__", 2)));
  }

  @Test
  void ctxexit_closesAutoCloseables() throws Exception {
    IdPack holder = ref(callattr(root, "holder"));
    assertEquals(holder, ref(callattr(holder, "__enter__")));
    assertEquals(false, valueOf(peer.call(Handlers.CTXEXIT, tuple(localRef(holder), value(null)))));
    assertEquals(true, valueOf(callattr(holder, "isClosed")));
  }

  @Test
  void instancecheck_testsAnExportedObjectAgainstAClass() throws Exception {
    IdPack type = ref(callattr(root, "someClass"));
    IdPack holder = ref(callattr(root, "holder"));
    Tuple holderId = Tuple.of(holder.name(), holder.classId(), holder.instanceId());
    assertEquals(
        false, valueOf(peer.call(Handlers.INSTANCECHECK, tuple(localRef(type), value(holderId)))));
    assertEquals(
        false,
        valueOf(
            peer.call(Handlers.INSTANCECHECK, tuple(localRef(type), value(Tuple.of("x", 1, 2))))));
  }

  @Test
  void close_makesTheServerHangUp() throws Exception {
    peer.request(Handlers.CLOSE, value(Tuple.of()));
    assertTrue(peer.awaitClose(new ArrayList<>()));
    assertStillServing();
  }

  // ---------------------------------------------------------------- errors that keep the
  // connection

  @Test
  void unknownHandler_getsAKeyError_andTheConnectionSurvives() throws Exception {
    exception(peer.call(99, value(Tuple.of())), "KeyError");
    assertEquals(3, valueOf(callattr(root, "add", 1, 2)));
  }

  @Test
  void wrongArity_getsATypeError() throws Exception {
    String message = exception(peer.call(Handlers.GETATTR, tuple(localRef(root))), "TypeError");
    assertTrue(message.contains("GETATTR takes 2 arguments (1 given)"), message);
    assertEquals(3, valueOf(callattr(root, "add", 1, 2)));
  }

  @Test
  void unknownId_getsAKeyError() throws Exception {
    exception(
        callattr(new IdPack("io.rpyc.it.TestService", root.classId(), 424242), "add", 1, 2),
        "KeyError");
    exception(
        callattr(new IdPack("java.lang.Object", root.classId(), root.instanceId()), "add", 1, 2),
        "KeyError");
    assertEquals(3, valueOf(callattr(root, "add", 1, 2)));
  }

  @Test
  void malformedRequestBodies_getExceptionReplies() throws Exception {
    long seq = peer.send(Message.REQUEST, 1000, "not a tuple");
    exception(peer.replyTo(seq), "TypeError");
    exception(peer.call(Handlers.CALLATTR, new Object[] {7, "bad label"}), "TypeError");
    exception(
        peer.call(Handlers.CALLATTR, tuple(new Object[] {3, Tuple.of("no", "id")})), "TypeError");
    assertEquals(3, valueOf(callattr(root, "add", 1, 2)));
  }

  // ---------------------------------------------------------------- errors that close the
  // connection

  private static byte[] frame(byte[] payload, int flag) {
    byte[] f = new byte[payload.length + 6];
    f[0] = (byte) (payload.length >>> 24);
    f[1] = (byte) (payload.length >>> 16);
    f[2] = (byte) (payload.length >>> 8);
    f[3] = (byte) payload.length;
    f[4] = (byte) flag;
    System.arraycopy(payload, 0, f, 5, payload.length);
    f[f.length - 1] = '\n';
    return f;
  }

  private void assertClosedWithClose(byte[] bytes) throws Exception {
    peer.sendBytes(bytes);
    List<Message> seen = new ArrayList<>();
    assertTrue(peer.awaitClose(seen), "the server must close the connection");
    assertTrue(
        seen.stream()
            .anyMatch(
                m ->
                    m.type() == Message.REQUEST
                        && ((Tuple) m.body()).get(0).equals(Handlers.CLOSE)),
        "the server sends CLOSE first: " + seen);
    assertStillServing();
  }

  @Test
  void unknownBrineTag_closesThatConnectionOnly() throws Exception {
    assertClosedWithClose(frame(Hex.parse("12 51 50 07"), 0));
  }

  @Test
  void hostileLengthHeader_closesWithoutAllocating() throws Exception {
    assertClosedWithClose(Hex.parse("7f ff ff ff 00 12 51 50"));
  }

  @Test
  void zlibBomb_closes() throws Exception {
    Deflater deflater = new Deflater(9);
    deflater.setInput(new byte[200 << 20]);
    deflater.finish();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] chunk = new byte[1 << 16];
    while (!deflater.finished()) {
      out.write(chunk, 0, deflater.deflate(chunk));
    }
    deflater.end();
    assertClosedWithClose(frame(out.toByteArray(), 1));
  }

  @Test
  void invalidUtf8_closes() throws Exception {
    assertClosedWithClose(frame(Hex.parse("12 51 50 11 54 11 51 10 08 0b c3 28"), 0));
  }

  @Test
  void deepNesting_closes() throws Exception {
    byte[] deep = new byte[200];
    Arrays.fill(deep, (byte) 0x10);
    deep[199] = 0;
    byte[] payload = new byte[deep.length + 3];
    payload[0] = 0x12;
    payload[1] = 0x51;
    payload[2] = 0x50;
    System.arraycopy(deep, 0, payload, 3, deep.length);
    assertClosedWithClose(frame(payload, 0));
  }

  @Test
  void invalidMessageType_closes() throws Exception {
    assertClosedWithClose(frame(Hex.parse("12 59 50 00"), 0));
  }

  @Test
  void rpyc6Peer_isRefusedWithAClearClose() throws Exception {
    assertClosedWithClose(frame(Hex.parse("01 11 50 11 53 11 51 02"), 0));
  }

  @Test
  void theRootStaysAlive_whateverThePeerDels() throws Exception {
    valueOf(peer.call(Handlers.DEL, tuple(localRef(root), value(1000))));
    assertEquals(3, valueOf(callattr(root, "add", 1, 2)));
  }
}
