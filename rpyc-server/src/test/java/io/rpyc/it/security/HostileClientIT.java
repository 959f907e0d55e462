package io.rpyc.it.security;

import static io.rpyc.testing.RawPeer.localRef;
import static io.rpyc.testing.RawPeer.tuple;
import static io.rpyc.testing.RawPeer.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rpyc.Connection;
import io.rpyc.RemoteRef;
import io.rpyc.Rpyc;
import io.rpyc.RpycConfig;
import io.rpyc.Tuple;
import io.rpyc.internal.codec.IdPack;
import io.rpyc.internal.codec.Message;
import io.rpyc.internal.protocol.Handlers;
import io.rpyc.server.RpycServer;
import io.rpyc.testing.Hex;
import io.rpyc.testing.RawPeer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A hostile client, speaking raw frames, tries to get out of what a service-mode server exposes.
 * Every attempt must end in an exception reply — or, for frame-level violations, in the CLOSE and
 * hang-up that docs/protocol.md documents — with no trap of {@link VaultService} run, no forged
 * object, and a well-behaved client (a real {@link Rpyc#connect} connection opened first) getting
 * correct answers after every attempt.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileClientIT {
  /** Small, so that an oversized argument is cheap to send. */
  static final int MAX_FRAME = 1 << 20;

  private RpycServer server;
  private Connection wellBehaved;
  private RemoteRef goodRoot;
  private RemoteRef goodList; // held, so that its id stays exported on the good connection
  private IdPack goodListId;
  private final Map<String, String> outcomes = new TreeMap<>();

  @BeforeAll
  void start() {
    server =
        RpycServer.builder()
            .service(VaultService::new)
            .config(RpycConfig.builder().maxFrameSize(MAX_FRAME).build())
            .shutdownGrace(Duration.ofSeconds(1))
            .build()
            .start();
    wellBehaved = Rpyc.connect("127.0.0.1", server.port());
    goodRoot = wellBehaved.root();
    assertEquals(5, goodRoot.call("add", 2, 3));
    goodList = Rpyc.ref(goodRoot.call("list"));
    goodListId = idOf(goodList);
  }

  /** A handle's id_pack (package-private in the library; a test may peek). */
  private static IdPack idOf(RemoteRef ref) {
    try {
      java.lang.reflect.Field id = ref.getClass().getDeclaredField("id");
      id.setAccessible(true);
      return (IdPack) id.get(ref);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
  }

  @AfterAll
  void stop() {
    System.out.println("hostile-client attempts (" + outcomes.size() + "):");
    outcomes.forEach((name, outcome) -> System.out.println("  " + name + " -> " + outcome));
    try {
      wellBehaved.close();
    } finally {
      server.close();
    }
  }

  /** What the server must answer the attempt's last request with. */
  enum Expect {
    /** An exception reply to the request; the connection stays up. */
    EXCEPTION,
    /** A CLOSE request, then the server hangs up (frame-level violations). */
    CLOSE
  }

  /** One named way out; {@link #step} returns the answer to its last request (null for CLOSE). */
  record Attempt(String name, Expect expect, Step step) {
    @Override
    public String toString() {
      return name;
    }
  }

  interface Step {
    Message run(Hostile h) throws Exception;
  }

  static Attempt refused(String name, Step step) {
    return new Attempt(name, Expect.EXCEPTION, step);
  }

  static Attempt closes(String name, Step step) {
    return new Attempt(name, Expect.CLOSE, step);
  }

  static Stream<Attempt> attempts() {
    return Stream.of(
        // ---------------------------------------------------------- members that are not exposed
        refused("getattr a public method that is not exposed", h -> h.getattr(h.root, "shutdown")),
        refused(
            "callattr a public method that is not exposed", h -> h.callattr(h.root, "shutdown")),
        refused("callattr a private method", h -> h.callattr(h.root, "secret")),
        refused("getattr a public field that is not exposed", h -> h.getattr(h.root, "adminToken")),
        refused("getattr a private field", h -> h.getattr(h.root, "vaultKey")),
        refused(
            "callattr with the exposed_ prefix on a member that is not exposed",
            h -> h.callattr(h.root, "exposed_shutdown")),
        refused(
            "callattr a method whose name merely looks exposed",
            h -> h.callattr(h.root, "exposedLooking")),
        refused(
            "getattr with a name sent as bytes", h -> h.getattrRaw(h.root, "shutdown".getBytes())),
        refused("getattr a name with a trailing NUL", h -> h.getattr(h.root, "shutdown\0")),
        refused(
            "callattr a public method of a returned object that is not exposed",
            h -> h.callattr(h.account(), "withdrawAll")),
        refused(
            "getattr a public field of a returned object that is not exposed",
            h -> h.getattr(h.account(), "owner")),
        refused("getattr a private field of a returned object", h -> h.getattr(h.account(), "pin")),
        // ---------------------------------------------------------- static members
        refused("callattr a static method of the service", h -> h.callattr(h.root, "staticTrap")),
        refused(
            "callattr a static method of a returned object", h -> h.callattr(h.account(), "reset")),
        refused(
            "callattr a static method through the class the service returned",
            h -> h.callattr(h.accountType(), "reset")),
        // ---------------------------------------------------------- Object's and Class's methods
        refused("callattr getClass on the service", h -> h.callattr(h.root, "getClass")),
        refused("getattr getClass on a returned list", h -> h.getattr(h.list(), "getClass")),
        refused("callattr getClass on a returned object", h -> h.callattr(h.account(), "getClass")),
        refused("callattr wait on the service", h -> h.callattr(h.root, "wait")),
        refused("callattr wait(ms) on a returned list", h -> h.callattr(h.list(), "wait", 1)),
        refused("callattr notify on a returned list", h -> h.callattr(h.list(), "notify")),
        refused(
            "callattr notifyAll on a returned object", h -> h.callattr(h.account(), "notifyAll")),
        refused("callattr finalize on a returned object", h -> h.callattr(h.account(), "finalize")),
        refused(
            "callattr getClassLoader on a returned class",
            h -> h.callattr(h.accountType(), "getClassLoader")),
        refused(
            "callattr Class.forName through a returned class",
            h -> h.callattr(h.accountType(), "forName", "java.lang.Runtime")),
        refused(
            "callattr getDeclaredMethods on a returned class",
            h -> h.callattr(h.accountType(), "getDeclaredMethods")),
        refused(
            "callattr getDeclaredConstructor on a returned class",
            h -> h.callattr(h.accountType(), "getDeclaredConstructor")),
        refused(
            "callattr getName on a returned class", h -> h.callattr(h.accountType(), "getName")),
        refused(
            "callattr getModule on a returned class",
            h -> h.callattr(h.accountType(), "getModule")),
        // ---------------------------------------------------------- constructors and calls
        refused("call a returned class (its constructor)", h -> h.call(h.accountType())),
        refused(
            "call a returned class with the constructor's argument",
            h -> h.call(h.accountType(), (Object) null)),
        refused(
            "callattr __call__ on a returned class", h -> h.callattr(h.accountType(), "__call__")),
        refused("call the service, which implements Runnable", h -> h.call(h.root)),
        refused("callattr __call__ on the service", h -> h.callattr(h.root, "__call__")),
        refused(
            "JAVA_CALLSIG as a functional call of the service's run()",
            h -> h.callsig(h.root, "run", Tuple.of(), Tuple.of(), 1)),
        refused(
            "call a returned AutoCloseable whose close() is not exposed", h -> h.call(h.account())),
        refused(
            "call a bound method with keyword arguments",
            h -> h.callWithKeywords(h.ref(h.getattr(h.root, "add")))),
        // ---------------------------------------------------------- reflection objects
        refused(
            "callattr invoke on a leaked Method",
            h -> h.callattrRefs(h.leakedMethod(), "invoke", h.root)),
        refused("call a leaked Method", h -> h.call(h.leakedMethod(), (Object) null)),
        refused(
            "callattr setAccessible on a leaked Method",
            h -> h.callattr(h.leakedMethod(), "setAccessible", true)),
        refused(
            "callattr getDeclaringClass on a leaked Method",
            h -> h.callattr(h.leakedMethod(), "getDeclaringClass")),
        // ---------------------------------------------------------- Python dunder tricks
        refused("getattr __class__ on the service", h -> h.getattr(h.root, "__class__")),
        refused("getattr __dict__ on a returned object", h -> h.getattr(h.account(), "__dict__")),
        refused("callattr __init__ on the service", h -> h.callattr(h.root, "__init__")),
        refused(
            "callattr __subclasses__ on a returned class",
            h -> h.callattr(h.accountType(), "__subclasses__")),
        refused(
            "callattr __reduce_ex__ on the service", h -> h.callattr(h.root, "__reduce_ex__", 2)),
        refused(
            "callattr __getattribute__ on the service",
            h -> h.callattr(h.root, "__getattribute__", "shutdown")),
        refused(
            "callattr __iter__ on a returned class", h -> h.callattr(h.accountType(), "__iter__")),
        refused(
            "cmp with a method name as the operator",
            h ->
                h.request(
                    Handlers.CMP, tuple(localRef(h.root), localRef(h.root), value("getClass")))),
        // ---------------------------------------------------------- assignments and deletions
        refused(
            "setattr an exposed field of the service",
            h -> h.request(Handlers.SETATTR, tuple(localRef(h.root), value("counter"), value(9)))),
        refused(
            "setattr a public field of a returned object",
            h ->
                h.request(
                    Handlers.SETATTR, tuple(localRef(h.account()), value("owner"), value("eve")))),
        refused(
            "setattr an exposed field of a returned object",
            h ->
                h.request(
                    Handlers.SETATTR, tuple(localRef(h.account()), value("balance"), value(1)))),
        refused(
            "delattr on the service",
            h -> h.request(Handlers.DELATTR, tuple(localRef(h.root), value("counter")))),
        refused(
            "delattr on a returned object",
            h -> h.request(Handlers.DELATTR, tuple(localRef(h.account()), value("balance")))),
        // ---------------------------------------------------------- ids it was never given
        refused(
            "DEL an id never given",
            h -> h.request(Handlers.DEL, tuple(localRef(h.guess(99)), value(1)))),
        refused("INSPECT an id never given", h -> h.inspect(h.guess(99))),
        refused(
            "callattr on the next instance id after a returned list",
            h -> {
              IdPack list = h.list();
              return h.callattr(
                  new IdPack("java.util.ArrayList", list.classId(), list.instanceId() + 1), "size");
            }),
        refused(
            "callattr on the previous instance id with the list's class name",
            h -> {
              IdPack list = h.list();
              return h.callattr(
                  new IdPack(list.name(), list.classId(), list.instanceId() - 1), "size");
            }),
        refused(
            "callattr on the root's class id with another instance id",
            h -> h.callattr(h.guess(7), "add", 1, 2)),
        refused(
            "callattr on the root's class as a class id_pack (instance id 0)",
            h -> h.callattr(new IdPack(h.root.name(), h.root.classId(), 0), "staticTrap")),
        refused(
            "callattr on a class id_pack with a guessed class id",
            h -> h.callattr(new IdPack("java.lang.Runtime", 1, 0), "getRuntime")),
        refused(
            "callattr on an object of the well-behaved client's connection",
            h -> h.callattr(h.otherConnectionsList(), "size")),
        refused(
            "INSTANCECHECK with an id_pack never given",
            h ->
                h.request(
                    Handlers.INSTANCECHECK,
                    tuple(localRef(h.guess(99)), value(h.idTuple(h.root))))),
        // ---------------------------------------------------------- PICKLE
        refused(
            "PICKLE the service",
            h -> h.request(Handlers.PICKLE, tuple(localRef(h.root), value(4)))),
        refused(
            "PICKLE a returned list",
            h -> h.request(Handlers.PICKLE, tuple(localRef(h.list()), value(2)))),
        // ---------------------------------------------------------- malformed requests
        refused("an unknown handler", h -> h.request(99, value(Tuple.of()))),
        refused("a negative handler", h -> h.request(-7, value(Tuple.of()))),
        refused(
            "a handler beyond 32 bits", h -> h.requestWithLongHandler(1L << 40, value(Tuple.of()))),
        refused(
            "wrong arity for GETATTR", h -> h.request(Handlers.GETATTR, tuple(localRef(h.root)))),
        refused("wrong arity for an exposed method", h -> h.callattr(h.root, "add", 1)),
        refused("an unknown boxing label", h -> h.request(Handlers.GETATTR, new Object[] {9, "x"})),
        refused(
            "a local reference that is not an id_pack",
            h -> h.request(Handlers.GETATTR, tuple(new Object[] {3, "root"}, value("add")))),
        refused(
            "a boxed tuple whose items are not boxed",
            h -> h.request(Handlers.GETATTR, new Object[] {2, Tuple.of(1, 2)})),
        refused(
            "a request body that is not (handler, args)",
            h -> h.replyTo(h.peer.send(Message.REQUEST, 77, Tuple.of(1, 2, 3)))),
        refused(
            "BUFFITER on an object that is not an iterator",
            h -> h.request(Handlers.BUFFITER, tuple(localRef(h.root), value(10)))),
        refused(
            "OLDSLICING with a setter as the attempt",
            h ->
                h.request(
                    Handlers.OLDSLICING,
                    tuple(
                        localRef(h.list()),
                        value("__setitem__"),
                        value("__setslice__"),
                        value(0),
                        value(1),
                        value(Tuple.of())))),
        refused(
            "CTXEXIT on a returned class",
            h -> h.request(Handlers.CTXEXIT, tuple(localRef(h.accountType()), value(null)))),
        refused(
            "INSTANCECHECK against an object that is not a class",
            h ->
                h.request(
                    Handlers.INSTANCECHECK, tuple(localRef(h.root), value(h.idTuple(h.root))))),
        // ---------------------------------------------------------- the rpyc-java extension
        refused(
            "JAVA_CALLSIG to a method that is not exposed",
            h -> h.callsig(h.root, "shutdown", Tuple.of(), Tuple.of(), 0)),
        refused(
            "JAVA_CALLSIG to a static method",
            h -> h.callsig(h.root, "staticTrap", Tuple.of(), Tuple.of(), 0)),
        refused(
            "JAVA_CALLSIG to getClass",
            h -> h.callsig(h.list(), "getClass", Tuple.of(), Tuple.of(), 0)),
        refused(
            "JAVA_CALLSIG as a functional call on an object that is not functional",
            h -> h.callsig(h.account(), "withdrawAll", Tuple.of(), Tuple.of(), 1)),
        refused(
            "JAVA_CALLSIG to Class.forName through a returned class",
            h ->
                h.callsig(
                    h.accountType(),
                    "forName",
                    Tuple.of("java.lang.String"),
                    Tuple.of("java.lang.Runtime"),
                    0)),
        refused(
            "JAVA_OBTAIN a returned class",
            h -> h.request(Handlers.JAVA_OBTAIN, tuple(localRef(h.accountType())))),
        refused(
            "JAVA_OBTAIN the service",
            h -> h.request(Handlers.JAVA_OBTAIN, tuple(localRef(h.root)))),
        refused(
            "JAVA_TYPEINFO of an id never given",
            h -> h.request(Handlers.JAVA_TYPEINFO, tuple(localRef(h.guess(99))))),
        // ---------------------------------------------------------- frame-level violations
        closes(
            "an argument above the server's maximum frame size",
            h -> {
              h.peer.request(
                  Handlers.CALLATTR,
                  tuple(
                      localRef(h.root),
                      value("echo"),
                      value(Tuple.of((Object) new byte[MAX_FRAME + 1])),
                      value(Tuple.of())));
              return null;
            }),
        closes(
            "a length header announcing 2 GiB",
            h -> {
              h.peer.sendBytes(Hex.parse("7f ff ff ff 00 12 51 50"));
              return null;
            }),
        closes(
            "an argument nested 200 deep",
            h -> {
              byte[] deep = new byte[200];
              Arrays.fill(deep, (byte) 0x10);
              deep[199] = 0x50;
              h.peer.sendBytes(frame(concat(Hex.parse("12 51 50 11 58 11 51"), deep), 0));
              return null;
            }),
        closes(
            "a zlib bomb",
            h -> {
              h.peer.sendBytes(frame(deflate(new byte[64 << 20]), 1));
              return null;
            }),
        closes(
            "an unknown brine tag",
            h -> {
              h.peer.sendBytes(frame(Hex.parse("12 51 50 11 54 07"), 0));
              return null;
            }),
        closes(
            "a bogus message type",
            h -> {
              h.peer.sendBytes(frame(Hex.parse("12 5f 50 00"), 0));
              return null;
            }));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("attempts")
  void everyWayOut_isRefused(Attempt attempt) throws Exception {
    VaultService.BREACHES.clear();
    int forged = VaultService.Account.FORGED.get();
    try (Hostile h = new Hostile(RawPeer.connect("127.0.0.1", server.port()))) {
      Message answer = attempt.step.run(h);
      if (attempt.expect == Expect.EXCEPTION) {
        assertEquals(
            Message.EXCEPTION,
            answer.type(),
            () -> attempt + ": expected a refusal, got " + answer);
        outcomes.put(attempt.name, exceptionType(answer));
        assertEquals(Message.REPLY, h.peer.call(Handlers.PING, value(Tuple.of("alive"))).type());
      } else {
        List<Message> seen = new ArrayList<>();
        assertTrue(h.awaitClose(seen), attempt + ": the server must hang up");
        assertTrue(
            seen.stream().anyMatch(HostileClientIT::isClose),
            () -> attempt + ": the server sends CLOSE first: " + seen);
        outcomes.put(attempt.name, "CLOSE, connection closed");
      }
    }
    assertTrue(VaultService.BREACHES.isEmpty(), () -> "a trap ran: " + VaultService.BREACHES);
    assertEquals(forged, VaultService.Account.FORGED.get(), "no Account was forged");
    assertWellBehavedClientIsServed();
  }

  @Test
  void theSuiteTriesAtLeastFortyWaysOut() {
    assertTrue(attempts().count() >= 40, "attempts: " + attempts().count());
  }

  private void assertWellBehavedClientIsServed() {
    assertFalse(wellBehaved.isClosed());
    assertEquals(5, goodRoot.call("add", 2, 3));
    assertEquals(List.of("a", "b", "c"), Rpyc.obtain(goodRoot.call("list")));
    assertEquals(3, goodList.length());
  }

  private static boolean isClose(Message m) {
    return m.type() == Message.REQUEST
        && Integer.valueOf(Handlers.CLOSE).equals(((Tuple) m.body()).get(0));
  }

  private static String exceptionType(Message m) {
    if (Integer.valueOf(1).equals(m.body())) {
      return "StopIteration";
    }
    Tuple body = (Tuple) m.body();
    Tuple type = (Tuple) body.get(0);
    Tuple args = (Tuple) body.get(1);
    String message = args.isEmpty() ? "" : String.valueOf(args.get(0));
    if (message.length() > 80) {
      message = message.substring(0, 80) + "...";
    }
    return type.get(0) + "." + type.get(1) + ": " + message;
  }

  static byte[] frame(byte[] payload, int flag) {
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

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  static byte[] deflate(byte[] data) {
    Deflater deflater = new Deflater(9);
    deflater.setInput(data);
    deflater.finish();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] chunk = new byte[1 << 16];
    while (!deflater.finished()) {
      out.write(chunk, 0, deflater.deflate(chunk));
    }
    deflater.end();
    return out.toByteArray();
  }

  /** The hostile client: a raw peer that fetched the root, with helpers to build requests. */
  final class Hostile implements AutoCloseable {
    final RawPeer peer;
    final IdPack root;

    Hostile(RawPeer peer) throws IOException {
      this.peer = peer;
      this.root = ref(peer.call(Handlers.GETROOT, value(Tuple.of())));
    }

    IdPack ref(Message m) {
      assertEquals(Message.REPLY, m.type(), () -> "setting up: expected a reply, got " + m);
      return RawPeer.idPackOf(m.body());
    }

    Message request(int handler, Object boxedArgs) throws IOException {
      return peer.call(handler, boxedArgs);
    }

    Message requestWithLongHandler(long handler, Object boxedArgs) throws IOException {
      return replyTo(peer.send(Message.REQUEST, 4242, new Object[] {handler, boxedArgs}));
    }

    Message replyTo(long seq) throws IOException {
      return peer.replyTo(seq);
    }

    Message getattr(IdPack target, String name) throws IOException {
      return request(Handlers.GETATTR, tuple(localRef(target), value(name)));
    }

    Message getattrRaw(IdPack target, byte[] name) throws IOException {
      return request(Handlers.GETATTR, tuple(localRef(target), value(name)));
    }

    Message callattr(IdPack target, String name, Object... args) throws IOException {
      return request(
          Handlers.CALLATTR,
          tuple(localRef(target), value(name), value(Tuple.of(args)), value(Tuple.of())));
    }

    /** CALLATTR whose arguments are this side's references back to the server's objects. */
    Message callattrRefs(IdPack target, String name, IdPack... refs) throws IOException {
      Object[][] boxed = new Object[refs.length][];
      for (int i = 0; i < refs.length; i++) {
        boxed[i] = localRef(refs[i]);
      }
      return request(
          Handlers.CALLATTR,
          tuple(
              localRef(target),
              value(name),
              new Object[] {RawPeer.TUPLE, boxed},
              value(Tuple.of())));
    }

    Message call(IdPack target, Object... args) throws IOException {
      return request(
          Handlers.CALL, tuple(localRef(target), value(Tuple.of(args)), value(Tuple.of())));
    }

    Message callWithKeywords(IdPack target) throws IOException {
      return request(
          Handlers.CALL,
          tuple(localRef(target), value(Tuple.of(1, 2)), value(Tuple.of(Tuple.of("b", 2)))));
    }

    Message callsig(IdPack target, String name, Tuple sig, Tuple args, int flags)
        throws IOException {
      return request(
          Handlers.JAVA_CALLSIG,
          tuple(localRef(target), value(name), value(sig), value(args), value(flags)));
    }

    Message inspect(IdPack id) throws IOException {
      return request(Handlers.INSPECT, value(Tuple.of(idTuple(id))));
    }

    Tuple idTuple(IdPack id) {
      return Tuple.of(id.name(), id.classId(), id.instanceId());
    }

    /** An id_pack of the root's class with a guessed instance id. */
    IdPack guess(long instanceId) {
      return new IdPack(root.name(), root.classId(), instanceId);
    }

    IdPack list() throws IOException {
      return ref(callattr(root, "list"));
    }

    IdPack account() throws IOException {
      return ref(callattr(root, "account"));
    }

    IdPack accountType() throws IOException {
      return ref(callattr(root, "accountType"));
    }

    IdPack leakedMethod() throws IOException {
      return ref(callattr(root, "leakedMethod"));
    }

    /** The id_pack the server gave the well-behaved client for a list: valid on its connection. */
    IdPack otherConnectionsList() {
      return goodListId;
    }

    boolean awaitClose(List<Message> seen) throws IOException {
      return peer.awaitClose(seen);
    }

    @Override
    public void close() throws IOException {
      peer.close();
    }
  }
}
