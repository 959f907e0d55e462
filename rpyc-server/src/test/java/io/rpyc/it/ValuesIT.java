package io.rpyc.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rpyc.Connection;
import io.rpyc.PyValue;
import io.rpyc.RemoteRef;
import io.rpyc.RpycConfig;
import io.rpyc.Tuple;
import io.rpyc.server.RpycServer;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ValuesIT {
  private final ServerFixture fixture = new ServerFixture();
  private RpycServer server;

  @BeforeEach
  void start() {
    server = fixture.start(TestService::new);
  }

  @AfterEach
  void stop() throws Exception {
    fixture.close();
  }

  @Test
  void javaPeers_keepExactTypes_bothWays() {
    RemoteRef root = fixture.connect(server).root();
    Object[] values = {
      (short) 7,
      (byte) -3,
      7L,
      100_000,
      'é',
      1.5f,
      2.5,
      true,
      "text",
      BigInteger.TEN.pow(40),
      new BigDecimal("3.14159"),
      Long.MIN_VALUE
    };
    for (Object v : values) {
      assertEquals(
          v.getClass().getName(), root.call("typeOf", v), "type of " + v + " at the server");
      Object back = root.call("echo", v);
      assertEquals(v, back);
      assertEquals(v.getClass(), back.getClass(), "type of " + v + " back at the client");
    }
  }

  @Test
  void plainRpyc_carriesPythonsTypes() {
    RemoteRef root =
        fixture.connect(server, RpycConfig.builder().javaExtensions(false).build()).root();
    assertEquals("java.lang.Integer", root.call("typeOf", (short) 7));
    assertEquals("java.lang.Integer", root.call("typeOf", 7L));
    assertEquals("java.lang.Long", root.call("typeOf", 1L << 40));
    assertEquals("java.lang.Double", root.call("typeOf", 1.5f));
    assertEquals("java.lang.String", root.call("typeOf", 'c'));
    // the overload still resolves: a Python int fits int parameters when the value does
    assertEquals(3, root.call("add", (short) 1, (short) 2));
    // BigDecimal has no plain-brine form: it travels by reference, so echo hands back our object
    BigDecimal decimal = new BigDecimal("1.5");
    assertSame(decimal, root.call("echo", decimal));
  }

  @Test
  void nullAndPythonValues_roundTrip() {
    RemoteRef root = fixture.connect(server).root();
    assertNull(root.call("echo", (Object) null));
    for (Object v :
        new Object[] {
          new PyValue.Complex(1, 2),
          new PyValue.Slice(1, 5, null),
          PyValue.Constant.ELLIPSIS,
          new PyValue.FrozenSet(Set.of("a", "b")),
          Tuple.of(1, "two", Tuple.of(3.0))
        }) {
      assertEquals(v, root.call("echo", v));
    }
  }

  @Test
  void byteArrays_travelAsCopies() {
    RemoteRef root = fixture.connect(server).root();
    byte[] data = {1, 2, 3};
    assertArrayEquals(new byte[] {3, 2, 1}, (byte[]) root.call("reversed", data));
    assertArrayEquals(new byte[] {1, 2, 3}, data, "the caller's array is untouched");
    byte[] big = new byte[1 << 20];
    big[0] = 9;
    assertEquals(9, ((byte[]) root.call("reversed", big))[big.length - 1]);
  }

  @Test
  void collectionsAndObjects_travelByReference() {
    RemoteRef root = fixture.connect(server).root();
    List<String> local = new ArrayList<>(List.of("a"));
    // a local list goes by reference: the server sees a handle, and echoing it returns the list
    Object back = root.call("echo", local);
    assertTrue(back == local, "the server handed our own list back");
    assertInstanceOf(RemoteRef.class, root.call("list", "x"));
    Function<Object, String> lambda = x -> "from the client " + x;
    assertEquals("from the client 1", root.call("callBack", lambda, 1));
  }

  @Test
  void tuplesWithReferences_boxItemByItem() {
    RemoteRef root = fixture.connect(server).root();
    List<String> local = new ArrayList<>();
    Tuple pair = (Tuple) root.call("pair", 1, local);
    assertEquals(1, pair.get(0));
    assertTrue(pair.get(1) == local);
    Connection conn = root.connection();
    assertEquals(0, conn.stats().pendingCalls());
  }
}
