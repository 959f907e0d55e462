package io.rpyc.it.python;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rpyc.Connection;
import io.rpyc.Rpyc;
import io.rpyc.server.RpycServer;
import io.rpyc.testing.Json;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The stock Python RPyC 5.3 client against a JVM service. */
class PythonClientIT {
  private static RpycServer server;

  @BeforeAll
  static void start() {
    PythonRpyc.assumeInstalled();
    server = RpycServer.builder().service(InteropService::new).build().start();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static Map<String, Object> run(String testCase) throws Exception {
    Map<String, Object> result =
        Json.object(
            PythonRpyc.run(
                "interop_client.py", "127.0.0.1", String.valueOf(server.port()), testCase));
    assertEquals(true, result.get("ok"), () -> "Python failed:\n" + result.get("error"));
    if (!testCase.equals("then_add")) {
      assertEquals(2L, result.get("after"), "the connection still works afterwards");
    }
    return result;
  }

  @Test
  void largeValues_roundTrip() throws Exception {
    Map<String, Object> r = run("large");
    for (String value : List.of("noise", "zeros", "text")) {
      assertEquals(true, r.get(value), value + " came back equal: " + r);
    }
  }

  @Test
  void servicesAnswerByJavaName_exposedName_andAlias() throws Exception {
    Map<String, Object> r = run("add");
    assertEquals(3L, r.get("add"));
    assertEquals(7L, r.get("prefixed"));
    assertEquals(42L, r.get("alias"));
    assertEquals("CALC", r.get("name"));
    assertEquals(List.of("CALC", "CALCULATOR"), r.get("aliases"));
    Map<String, Object> g = run("exposed_prefix");
    assertEquals("hello py", g.get("greet"));
    assertEquals("hello py", g.get("full"));
  }

  @Test
  void pythonValues_roundTripThroughJava_asTheirJavaTypes() throws Exception {
    Map<String, Object> r = run("types");
    for (Object same : (List<?>) r.get("same")) {
      assertEquals(true, same, "every value came back equal and of the same Python type: " + r);
    }
    assertEquals(
        List.of(
            "java.lang.String",
            "[B",
            "java.lang.Double",
            "java.math.BigInteger",
            "java.lang.Integer",
            "java.lang.Long",
            "io.rpyc.Tuple",
            "null",
            "java.lang.Boolean",
            "java.lang.String"),
        r.get("java"));
  }

  @Test
  void aPythonFunction_isCalledBackByJava() throws Exception {
    assertEquals(42L, run("callback").get("result"));
  }

  @Test
  void javaCollections_workWithPythonsLenIndexingIterationAndIn() throws Exception {
    Map<String, Object> r = run("list");
    assertEquals(5L, r.get("len"));
    assertEquals(9L, r.get("item"));
    assertEquals(25L, r.get("last"));
    assertEquals(List.of(1L, 4L, 9L, 16L, 25L), r.get("all"));
    assertEquals(true, r.get("contains"));
    assertEquals(false, r.get("missing"));
    assertEquals("[1, 4, 9, 16, 25]", r.get("str"));
    Map<String, Object> m = run("map");
    assertEquals(2L, m.get("len"));
    assertEquals(31L, m.get("ann"));
    assertEquals(List.of("ann", "bob"), m.get("keys"));
    assertEquals(true, m.get("has"));
  }

  @Test
  void javaExceptions_arriveInPython_withTheJavaStackTrace() throws Exception {
    Map<String, Object> r = run("exception");
    String text = (String) r.get("text");
    assertTrue(String.valueOf(r.get("type")).contains("IllegalStateException"), r.toString());
    assertTrue(text.contains("boom"), text);
    assertTrue(text.contains("at io.rpyc.it.python.InteropService.fail"), text);
  }

  @Test
  void refusedMembers_areAttributeErrorsInPython() throws Exception {
    Map<String, Object> r = run("refused");
    assertEquals(false, r.get("has_secret"));
    assertEquals(true, r.get("has_add"));
    assertEquals("cannot access 'getClass'", r.get("getClass"));
  }

  @Test
  void aServerAtItsConnectionCap_tellsThePythonClientWhy() throws Exception {
    try (RpycServer capped =
            RpycServer.builder()
                .service(InteropService::new)
                .maxConnections(1)
                .shutdownGrace(Duration.ofSeconds(1))
                .build()
                .start();
        Connection admitted = Rpyc.connect("127.0.0.1", capped.port())) {
      assertEquals(3, admitted.root().call("add", 1, 2));
      Map<String, Object> r =
          Json.object(
              PythonRpyc.run(
                  "interop_client.py", "127.0.0.1", String.valueOf(capped.port()), "at_capacity"));
      assertEquals(true, r.get("ok"), () -> "Python failed:\n" + r.get("error"));
      assertEquals("ConnectionRefusedError", r.get("type"), r::toString);
      assertEquals(true, r.get("refused"), "a real ConnectionRefusedError: " + r);
      assertTrue(
          String.valueOf(r.get("text"))
              .contains(
                  "the server refuses this connection: it already has 1 connection (its maximum)"),
          r::toString);
      assertNotEquals("answered", r.get("afterwards"), "the refused connection is closed: " + r);
      assertEquals(1, capped.connections().size(), "the Python client was never counted");
      assertEquals(3, admitted.root().call("add", 1, 2), "the admitted client still works");
    }
  }

  @Test
  void unsupportedRequests_getExceptionsNamingThem_andTheConnectionSurvives() throws Exception {
    Map<String, Object> kwargs = run("kwargs");
    assertEquals("TypeError", kwargs.get("type"));
    assertTrue(String.valueOf(kwargs.get("text")).contains("keyword"), kwargs.toString());
    Map<String, Object> pickle = run("pickle");
    assertEquals("ValueError", pickle.get("type"));
    assertTrue(
        String.valueOf(pickle.get("text")).contains("pickling is disabled"), pickle.toString());
    assertEquals(42L, run("then_add").get("add"));
    assertFalse(server.connections().size() > 1, "Python clients closed their connections");
  }
}
