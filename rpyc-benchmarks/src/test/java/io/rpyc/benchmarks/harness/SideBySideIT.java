package io.rpyc.benchmarks.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runs {@code bin/rpyc-bench --quick} (every server in its own process) and checks that every row
 * produces a number for every target that has it and that the export tables return to their
 * baseline. Correctness only: no figure is compared with anything.
 */
class SideBySideIT {
  private static final List<String> ALL_ROWS =
      List.of(
          "add.latency.median",
          "add.latency.p99",
          "add.calls.1thread",
          "add.calls.8threads",
          "add.calls.64threads",
          "add.calls.async",
          "echo.16KiB",
          "echo.256KiB",
          "list.size.median",
          "refs.create",
          "refs.cleanup");

  private static Results results;
  private static String table;

  @BeforeAll
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  static void runQuickMode() throws Exception {
    results = new SideBySide(Options.parse("--quick"), System.err).run();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Report.print(results, new PrintStream(out, true, StandardCharsets.UTF_8));
    table = out.toString(StandardCharsets.UTF_8);
    System.out.println(table);
  }

  @Test
  void rpycJava_everyRow_hasANumber() {
    assertRows(SideBySide.RPYC, ALL_ROWS);
  }

  @Test
  void rmi_everyRowButAsync_hasANumber() {
    List<String> rows = new ArrayList<>(ALL_ROWS);
    rows.remove("add.calls.async");
    assertRows(SideBySide.RMI, rows);
    assertFalse(results.rows.get("add.calls.async").values.containsKey(SideBySide.RMI));
  }

  @Test
  void spinningRawTcpFloor_syncCallRows_haveANumber() {
    assertRows(
        SideBySide.RAW_SPIN, List.of("add.latency.median", "add.latency.p99", "add.calls.1thread"));
    assertFalse(results.rows.get("echo.16KiB").values.containsKey(SideBySide.RAW_SPIN));
  }

  @Test
  void rawTcpFloor_callAndEchoRows_haveANumber() {
    assertRows(
        SideBySide.RAW,
        List.of(
            "add.latency.median",
            "add.latency.p99",
            "add.calls.1thread",
            "add.calls.8threads",
            "add.calls.64threads",
            "add.calls.async",
            "echo.16KiB",
            "echo.256KiB"));
    assertTrue(Integer.parseInt(results.machine.get("addRequestFrameBytes")) > 20);
  }

  @Test
  void pythonRpyc_everyRow_hasANumber() { // skips on a workstation without it, fails in CI
    String missing = SideBySide.pythonMissing("/usr/bin/python3");
    if (missing != null) {
      assertTrue(results.skipped.stream().anyMatch(s -> s.startsWith("Python RPyC")));
      if ("true".equals(System.getenv("CI"))) {
        fail(missing + " — CI must install every prerequisite (.ci/run does)");
      }
      Assumptions.abort("Python RPyC rows not checked: " + missing);
    }
    assertRows(SideBySide.PYTHON, ALL_ROWS);
    assertRows(SideBySide.PYTHON_BOTH, ALL_ROWS); // Python client and server, timed in Python
  }

  @Test
  void exportTables_returnToBaseline() {
    Results.Row cleanup = results.rows.get("refs.cleanup");
    assertEquals(Map.of(), cleanup.problems, "export tables not back to baseline");
  }

  @Test
  void everyTarget_isJudged() {
    assertEquals(6, results.verdicts.size(), table);
    for (Results.Verdict v : results.verdicts) {
      assertFalse(v.measured().equals("not measured"), v.target() + " was not measured");
    }
  }

  @Test
  void json_namesEveryRow() {
    String json = Report.json(results);
    for (String row : ALL_ROWS) {
      assertTrue(json.contains("\"" + row + "\""), row + " missing from the JSON");
    }
  }

  private static void assertRows(String target, List<String> rows) {
    for (String id : rows) {
      Results.Row row = results.rows.get(id);
      assertTrue(row != null, "no row " + id + "\n" + table);
      Double v = row.values.get(target);
      assertTrue(
          v != null && Double.isFinite(v) && v > 0,
          id + " has no number for " + target + ": " + v + " " + row.problems + "\n" + table);
    }
  }
}
