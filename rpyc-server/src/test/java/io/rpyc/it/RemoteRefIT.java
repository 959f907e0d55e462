package io.rpyc.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rpyc.Connection;
import io.rpyc.RemoteInvocationException;
import io.rpyc.RemoteRef;
import io.rpyc.RpycConfig;
import io.rpyc.server.RpycServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RemoteRefIT {
  private final ServerFixture fixture = new ServerFixture();
  private Connection conn;
  private RemoteRef root;

  @BeforeEach
  void start() {
    RpycServer server = fixture.start(TestService::new);
    conn = fixture.connect(server);
    root = conn.root();
  }

  @AfterEach
  void stop() throws Exception {
    fixture.close();
  }

  @Test
  void overloads_areChosenByRuntimeArgumentTypes() {
    assertEquals(3, root.call("add", 1, 2));
    assertEquals(1_000_000_000_003L, root.call("add", 1L, 2L));
    assertEquals(3.5, root.call("add", 1.5, 2.0));
    assertEquals("ab", root.call("add", "a", "b"));
    // int and long mixed: only add(long, long) and add(double, double) fit; long is closer
    assertEquals(1_000_000_000_003L, root.call("add", 1, 2L));
  }

  @Test
  void noMatchingOverload_isATypeErrorNamingTheCandidates() {
    RemoteInvocationException e =
        assertThrows(RemoteInvocationException.class, () -> root.call("add", "a", 1));
    assertEquals("builtins.TypeError", e.remoteType());
    assertTrue(e.getMessage().contains("add(int, int)"), e.getMessage());
  }

  @Test
  void varargs_areCollected_orPassedAsAnArray() {
    assertEquals("a-b-c", root.call("join", "-", "a", "b", "c"));
    assertEquals("", root.call("join", "-"));
  }

  @Test
  void typedResults_convertNumbersThatFit() {
    long sum = root.call(Long.class, "add", 1, 2);
    assertEquals(3L, sum);
    assertThrows(ClassCastException.class, () -> root.call(String.class, "add", 1, 2));
  }

  @Test
  void remoteLists_canBeIndexedSizedAndIterated() {
    RemoteRef list = (RemoteRef) root.call("list", "a", "b", "c");
    assertEquals("java.util.ArrayList", list.remoteClassName());
    assertEquals(3, list.length());
    assertEquals("b", list.getItem(1));
    assertEquals("c", list.getItem(-1));
    list.setItem(0, "z");
    list.call("add", "d");
    List<Object> seen = new ArrayList<>();
    list.forEach(seen::add);
    assertEquals(List.of("z", "b", "c", "d"), seen);
    RemoteInvocationException e =
        assertThrows(RemoteInvocationException.class, () -> list.getItem(10));
    assertEquals("builtins.IndexError", e.remoteType());
  }

  @Test
  void remoteArrays_canBeIndexedSizedAndIterated() {
    RemoteRef ints = (RemoteRef) root.call("ints", 5);
    assertEquals("[I", ints.remoteClassName());
    assertEquals(5, ints.length());
    assertEquals(30, ints.getItem(3));
    ints.setItem(3, 7);
    assertEquals(7, ints.getItem(3));
    List<Object> seen = new ArrayList<>();
    ints.forEach(seen::add);
    assertEquals(List.of(0, 10, 20, 7, 40), seen);
    RemoteInvocationException e =
        assertThrows(RemoteInvocationException.class, () -> ints.setItem(0, "not an int"));
    assertEquals("builtins.TypeError", e.remoteType());
  }

  @Test
  void remoteMaps_areIndexedByKey() {
    RemoteRef map = (RemoteRef) root.call("map");
    assertEquals(2, map.length());
    assertEquals(2, map.getItem("two"));
    RemoteInvocationException e =
        assertThrows(RemoteInvocationException.class, () -> map.getItem("three"));
    assertEquals("builtins.KeyError", e.remoteType());
  }

  @Test
  void largeIterables_arriveInGrowingBatches() {
    RemoteRef range = (RemoteRef) root.call("range", 100_000);
    long before = conn.stats().requestsSent();
    long sum = 0;
    int count = 0;
    for (Object item : range) {
      sum += (Integer) item;
      count++;
    }
    long requests = conn.stats().requestsSent() - before;
    assertEquals(100_000, count);
    assertEquals(100_000L * 99_999 / 2, sum);
    // __iter__ + BUFFITER batches of 16, 32, ... 65536: about log2(n) round trips, not n
    assertTrue(requests <= 16, "round trips: " + requests);
  }

  @Test
  void toString_equals_hashCode_areAnsweredRemotely() {
    RemoteRef a = (RemoteRef) root.call("list", "x");
    RemoteRef b = (RemoteRef) root.call("list", "x");
    RemoteRef c = (RemoteRef) root.call("list", "y");
    assertEquals("[x]", a.toString());
    assertEquals("[x]", a.repr());
    assertEquals(a, b, "equal remote lists are equal");
    assertNotEquals(a, c);
    assertEquals(List.of("x").hashCode(), a.hashCode());
    assertEquals(a, a.withTimeout(java.time.Duration.ofSeconds(1)));
    assertFalse(a.equals("[x]"));
  }

  @Test
  void dir_listsWhatThePeerMayUse() {
    List<String> names = root.dir();
    assertTrue(names.contains("add"), names.toString());
    assertTrue(names.contains("snake_case_name"), names.toString());
    assertTrue(names.contains("legacy"), names.toString());
    assertFalse(names.contains("secret"), names.toString());
    assertFalse(names.contains("onConnect"), names.toString());
  }

  @Test
  void fieldsAndMethods_throughGetAttr() {
    assertEquals(5, root.getAttr("exposedField"));
    RemoteRef add = (RemoteRef) root.getAttr("add");
    assertEquals("builtins.method", add.remoteClassName());
    assertEquals(7, add.invoke(3, 4));
  }

  @Test
  void remoteExceptions_carryTypeMessageAndStackTrace() {
    RemoteInvocationException e =
        assertThrows(RemoteInvocationException.class, () -> root.call("fail", "boom"));
    assertEquals("java.lang.IllegalStateException", e.remoteType());
    assertEquals("boom", e.remoteMessage());
    assertTrue(e.isInstanceOf(IllegalStateException.class));
    assertTrue(e.isInstanceOf(RuntimeException.class));
    assertFalse(e.isInstanceOf(IllegalArgumentException.class));
    assertTrue(e.remoteTraceback().contains("TestService.fail"), e.remoteTraceback());
    StringWriter printed = new StringWriter();
    e.printStackTrace(new PrintWriter(printed));
    assertTrue(printed.toString().contains("remote stack trace"), "prints the remote trace");
    assertTrue(printed.toString().contains("RemoteRefIT"), "and the caller's stack");

    RemoteInvocationException div =
        assertThrows(RemoteInvocationException.class, () -> root.call("divide", 1, 0));
    assertTrue(div.isInstanceOf(ArithmeticException.class));
  }

  @Test
  void remoteClasses_offerStaticsAndConstructors_inClassicMode() throws Exception {
    RpycServer classic =
        fixture.start(
            TestService::new, RpycConfig.builder().allowAllAttrs(true).allowSetattr(true).build());
    RemoteRef r = fixture.connect(classic).root();
    RemoteRef stringClass = (RemoteRef) r.call("someClass");
    assertTrue(stringClass.isRemoteClass());
    assertEquals("java.lang.String", stringClass.remoteClassName());
    assertEquals("42", stringClass.call("valueOf", 42));
    assertEquals("java.lang.String", stringClass.call("getName"));
    assertEquals(
        String.CASE_INSENSITIVE_ORDER.getClass().getName(),
        ((RemoteRef) stringClass.getAttr("CASE_INSENSITIVE_ORDER")).remoteClassName());
    // a constructor call: new String(byte[], String), the result comes back by value
    assertEquals("hi", stringClass.invoke(new byte[] {104, 105}, "UTF-8"));
  }
}
