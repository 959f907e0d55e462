package io.rpyc.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rpyc.Connection;
import io.rpyc.RemoteInvocationException;
import io.rpyc.RemoteObject;
import io.rpyc.RemoteRef;
import io.rpyc.Rpyc;
import io.rpyc.RpycException;
import io.rpyc.server.RpycServer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TypedProxiesIT {
  private final ServerFixture fixture = new ServerFixture();
  private Connection conn;
  private Calculator calc;

  @BeforeEach
  void start() {
    RpycServer server = fixture.start(TypedService::new);
    conn = fixture.connect(server);
    calc = conn.root(Calculator.class);
  }

  @AfterEach
  void stop() {
    fixture.close();
  }

  @Test
  void overloads_andPrimitivesVersusBoxes_followTheStaticSignature() {
    assertEquals(3, calc.add(1, 2));
    assertEquals(3L, calc.add(1L, 2L));
    assertEquals("ab", calc.add("a", "b"));
    assertEquals("int", calc.kind(5));
    assertEquals("Integer", calc.kind(Integer.valueOf(5)));
    assertEquals("long", calc.kind(5L));
    assertEquals("Object", calc.kind((Object) "x"));
    assertEquals(
        "Object", calc.kind((Object) 5), "statically Object: the Object overload, as locally");
  }

  @Test
  void varargs_generics_andDefaultMethods_behaveAsLocalCalls() {
    assertEquals("a-b-c", calc.join("-", "a", "b", "c"));
    assertEquals("", calc.join("-"));
    assertEquals("a,b", calc.join(",", new String[] {"a", "b"}));
    assertEquals("pear", calc.max(new ArrayList<>(List.of("apple", "pear", "fig"))));
    assertEquals(1006, calc.addThree(1, 2, 3), "the remote override of the default method ran");
  }

  @Test
  void arrays_travelAsCopies_bothWays() {
    assertArrayEquals(new int[] {1, 4, 9}, calc.squares(3));
    int[] values = {1, 2, 3};
    assertEquals(6, calc.sum(values));
    String[][] grid = calc.grid(2);
    assertEquals("1,0", grid[1][0]);
  }

  @Test
  void remoteLists_andMaps_areProxiesOfTheirInterfaces() {
    List<String> names = calc.names();
    assertInstanceOf(RemoteObject.class, names);
    assertEquals(2, names.size());
    assertEquals("bob", names.get(1));
    assertTrue(names.contains("ann"));
    names.add("cid");
    assertEquals(3, calc.names().size(), "the remote list itself changed");
    assertEquals(List.of("ann", "bob", "cid"), new ArrayList<>(names));
    assertEquals("[ann, bob, cid]", names.toString());
    assertEquals(names, calc.names(), "the same remote object");
    assertSame(names, calc.names(), "one proxy per remote object");
    assertEquals(List.of("ann", "bob", "cid").hashCode(), names.hashCode());
    assertEquals("ann|bob|cid", names.stream().collect(Collectors.joining("|")));

    Map<String, Integer> ages = calc.ages();
    assertEquals(42, ages.get("bob"));
    assertTrue(ages.containsKey("ann"));
    assertEquals(List.of("ann", "bob"), new ArrayList<>(ages.keySet()));
  }

  @Test
  void remoteIterators_areIterators() {
    Iterator<String> letters = calc.letters();
    List<String> seen = new ArrayList<>();
    letters.forEachRemaining(seen::add);
    assertEquals(List.of("a", "b", "c"), seen);
  }

  @Test
  void remoteLambdas_areRunnablesAndCallables() throws Exception {
    Runnable task = calc.task();
    task.run();
    task.run();
    assertEquals(2, calc.taskRuns());
    Callable<String> callable = calc.callable();
    assertEquals("called on the server", callable.call());
  }

  @Test
  void untypedReferences_becomeProxiesOfTheRemoteInterfaces() {
    Object anything = calc.anything();
    assertInstanceOf(List.class, anything);
    assertInstanceOf(RemoteRef.class, anything);
    @SuppressWarnings("unchecked")
    List<String> list = (List<String>) anything;
    assertEquals("y", list.get(1));
    assertEquals("java.util.ArrayList", Rpyc.ref(list).remoteClassName());
    assertSame(Rpyc.ref(list).connection(), conn);
    // the dynamic API types its results the same way
    Object names = conn.root().call("names");
    assertInstanceOf(List.class, names);
    assertEquals(((RemoteRef) names).length(), ((List<?>) names).size());
  }

  @Test
  void concreteClasses_areProxiedWithoutRunningAConstructor() {
    int before = TestService.Holder.CONSTRUCTED.get();
    TestService.Holder holder = calc.holder();
    assertEquals(before + 1, TestService.Holder.CONSTRUCTED.get(), "only the server built one");
    assertInstanceOf(RemoteObject.class, holder);
    assertEquals(8, holder.twice(4));
    assertEquals(1, holder.getValue());
    assertEquals(0, holder.value, "fields are local and were never initialized");
    assertEquals("Holder(1)", holder.toString());
  }

  public static final class FinalThing {}

  public static class WithFinalMethod {
    public final int fixed() {
      return 1;
    }
  }

  @Test
  void finalClassesAndMethods_getAClearError() {
    RemoteRef root = conn.root();
    RpycException finalClass = assertThrows(RpycException.class, () -> root.as(FinalThing.class));
    assertTrue(finalClass.getMessage().contains("use an interface"), finalClass.getMessage());
    RpycException finalMethod =
        assertThrows(RpycException.class, () -> root.as(WithFinalMethod.class));
    assertTrue(finalMethod.getMessage().contains("final method fixed()"), finalMethod.getMessage());
  }

  @Test
  void remoteExceptions_propagateThroughProxies() {
    RemoteInvocationException e =
        assertThrows(RemoteInvocationException.class, () -> calc.fail("nope"));
    assertTrue(e.isInstanceOf(IllegalArgumentException.class));
    assertEquals("nope", e.remoteMessage());
  }

  @Test
  void proxies_compareAndHashLikeTheirRemoteObjects() {
    Calculator again = conn.root(Calculator.class);
    assertSame(calc, again);
    assertEquals(calc, again);
    assertNotEquals(calc, conn.root().call("names"));
    assertFalse(calc.equals("a string"));
    assertEquals(Rpyc.ref(calc), conn.root());
  }

  @Test
  void aHundredThousandItems_iterateInLogarithmicallyManyRoundTrips() {
    List<Integer> range = calc.range(100_000);
    long before = conn.stats().requestsSent();
    long sum = 0;
    for (int i : range) {
      sum += i;
    }
    long requests = conn.stats().requestsSent() - before;
    assertEquals(100_000L * 99_999 / 2, sum);
    assertTrue(requests <= 16, "round trips: " + requests);
  }

  @Test
  void obtain_copiesInOneRoundTrip() {
    List<Integer> remote = calc.range(1000);
    long before = conn.stats().requestsSent();
    List<Integer> copy = Rpyc.obtain(remote);
    assertEquals(1, conn.stats().requestsSent() - before, "one round trip");
    assertFalse(copy instanceof RemoteObject);
    assertEquals(999, copy.get(999));
    Map<String, Integer> ages = Rpyc.obtain(calc.ages());
    assertEquals(Map.of("ann", 31, "bob", 42), ages);
    int[] squares = Rpyc.obtain(conn.root().call("squares", 4));
    assertArrayEquals(new int[] {1, 4, 9, 16}, squares);
    List<String> local = List.of("x");
    assertSame(local, Rpyc.obtain(local), "a local object is returned as is");
  }
}
