package io.rpyc.it.python;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rpyc.Connection;
import io.rpyc.PyValue;
import io.rpyc.RemoteInvocationException;
import io.rpyc.RemoteRef;
import io.rpyc.Rpyc;
import io.rpyc.Tuple;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** rpyc-java's client against the stock Python RPyC 5.3 ThreadedServer. */
class PythonServerIT {
  private static PythonRpyc.Server python;
  private static Connection conn;
  private static RemoteRef root;

  @BeforeAll
  static void start() throws Exception {
    PythonRpyc.assumeInstalled();
    python = new PythonRpyc.Server("interop_server.py");
    conn = Rpyc.connect("127.0.0.1", python.port);
    root = conn.root();
  }

  @AfterAll
  static void stop() {
    if (conn != null) {
      conn.close();
    }
    if (python != null) {
      python.close();
    }
  }

  /** A Python function-shaped interface: a typed proxy of a Python object calls by name. */
  public interface PyCalc {
    int add(int a, int b);

    String join(String... parts);
  }

  @Test
  void thePythonPeer_declinesTheJavaExtension_andPlainRpycWorks() {
    assertFalse(conn.isJavaPeer());
    assertEquals(3, root.call("add", 1, 2));
    conn.ping();
  }

  @Test
  void largeValues_roundTripThroughPython_compressedBothWays() {
    // frames above LargeFrames' threshold travel in chunks here and zlib-compressed on the wire
    Random random = new Random(9);
    for (int size : new int[] {300 << 10, 3 << 20}) {
      byte[] noise = new byte[size];
      random.nextBytes(noise);
      assertArrayEquals(noise, (byte[]) root.call("echo", (Object) noise), size + " random bytes");
    }
    byte[] zeros = new byte[2 << 20]; // compresses ~1000:1: inflating must grow its buffer
    assertArrayEquals(zeros, (byte[]) root.call("echo", (Object) zeros));
    String text = "é€𝄞 ".repeat(100_000); // 1 MB of UTF-8 with 2-, 3- and 4-byte characters
    assertEquals(text, root.call("echo", text));
  }

  @Test
  void everyBrineType_roundTrips() {
    Object[] values = {
      null,
      true,
      false,
      0,
      -48,
      159,
      160,
      -49,
      123_456_789,
      1L << 40,
      BigInteger.TWO.pow(100),
      1.5,
      Double.NEGATIVE_INFINITY,
      "",
      "héllo",
      new byte[0],
      new byte[] {1},
      new byte[300],
      Tuple.of(),
      Tuple.of(1, "a", Tuple.of(2.5, null)),
      new PyValue.Complex(1, -2),
      new PyValue.Slice(1, 10, 2),
      new PyValue.FrozenSet(Set.of(1, 2)),
      PyValue.Constant.ELLIPSIS,
      PyValue.Constant.NOT_IMPLEMENTED
    };
    for (Object v : values) {
      Object back = root.call("echo", v);
      if (v instanceof byte[]) {
        assertArrayEquals((byte[]) v, (byte[]) back);
      } else {
        assertEquals(v, back, "round trip of " + v);
      }
    }
    assertEquals("int", root.call("type_name", (short) 5));
    assertEquals("int", root.call("type_name", 5L));
    assertEquals("float", root.call("type_name", 1.5f));
    assertEquals("str", root.call("type_name", 'c'));
    assertEquals("bytes", root.call("type_name", (Object) new byte[] {1}));
    assertEquals("tuple", root.call("type_name", Tuple.of(1)));
    assertEquals("NoneType", root.call("type_name", (Object) null));
    // by reference: Python names the proxy class after the Java class
    assertEquals("java.util.ArrayList", root.call("type_name", new ArrayList<>(List.of(1))));
  }

  @Test
  void aJavaLambda_isCalledBackByPython() {
    Function<Object, Object> twice = x -> "java saw " + x;
    assertEquals("java saw 21", root.call("call", twice, 21));
  }

  @Test
  void pythonExceptions_arriveWithThePythonTraceback() {
    RemoteInvocationException e =
        assertThrows(RemoteInvocationException.class, () -> root.call("fail", "boom"));
    assertEquals("builtins.ValueError", e.remoteType());
    assertEquals(List.of("boom", 42), e.remoteArgs());
    assertTrue(e.remoteTraceback().contains("Traceback"), e.remoteTraceback());
    assertTrue(e.remoteTraceback().contains("interop_server.py"), e.remoteTraceback());
    assertEquals(3, root.call("add", 1, 2), "the connection survives");
  }

  @Test
  void pythonListsAndDicts_areIterated_orObtained() {
    RemoteRef items = (RemoteRef) root.call("items", 1000);
    assertEquals("builtins.list", items.remoteClassName());
    assertEquals(1000, items.length());
    assertEquals(7, items.getItem(7));
    long sum = 0;
    for (Object i : items) {
      sum += (Integer) i;
    }
    assertEquals(999L * 1000 / 2, sum);
    List<Object> copy = Rpyc.obtain(items);
    assertEquals(1000, copy.size());
    Map<Object, Object> mapping = Rpyc.obtain(root.call("mapping"));
    assertEquals(Map.of("a", 1, "b", 2), mapping);
  }

  @Test
  void aTypedProxy_callsAPythonObjectByName() {
    PyCalc calc = conn.root(PyCalc.class);
    assertEquals(5, calc.add(2, 3));
    assertEquals("a-b-c", calc.join("a", "b", "c"), "varargs spread into Python's *args");
  }

  @Test
  void pythonObjects_stayPlainHandles() {
    Object items = root.call("items", 2);
    assertInstanceOf(RemoteRef.class, items);
    assertFalse(items instanceof List, "nothing typed is known about Python objects");
  }
}
