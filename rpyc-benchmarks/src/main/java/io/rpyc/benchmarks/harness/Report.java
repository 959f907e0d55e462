package io.rpyc.benchmarks.harness;

import static io.rpyc.benchmarks.harness.SideBySide.PYTHON;
import static io.rpyc.benchmarks.harness.SideBySide.PYTHON_BOTH;
import static io.rpyc.benchmarks.harness.SideBySide.RAW;
import static io.rpyc.benchmarks.harness.SideBySide.RMI;
import static io.rpyc.benchmarks.harness.SideBySide.RPYC;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The table, the targets' verdicts and the JSON of a run. */
final class Report {
  private Report() {}

  /** Judges issue 8's targets on what was measured. */
  static void judge(Results r) {
    double lat = r.value("add.latency.median", RPYC);
    double floor = r.value("add.latency.median", RAW);
    double rmiLat = r.value("add.latency.median", RMI);
    verdict(
        r,
        "sync add latency <= 1.3x the raw TCP floor",
        lat / floor,
        String.format(Locale.ROOT, "%.2fx (%.1f vs %.1f µs)", lat / floor, lat, floor),
        lat / floor <= 1.3);
    verdict(
        r,
        "sync add latency below RMI's",
        lat / rmiLat,
        String.format(Locale.ROOT, "%.2fx (%.1f vs %.1f µs)", lat / rmiLat, lat, rmiLat),
        lat < rmiLat);
    double t8 = r.value("add.calls.8threads", RPYC);
    double rmi8 = r.value("add.calls.8threads", RMI);
    double floor8 = r.value("add.calls.8threads", RAW);
    verdict(
        r,
        "8-thread calls/s on one connection >= 2x RMI's 8-thread",
        t8 / rmi8,
        String.format(Locale.ROOT, "%.2fx (%,.0f vs %,.0f calls/s", t8 / rmi8, t8, rmi8)
            + (Double.isNaN(floor8)
                ? ")"
                : String.format(
                    Locale.ROOT,
                    "; the raw TCP floor on one connection: %,.0f, %.2fx RMI)",
                    floor8,
                    floor8 / rmi8)),
        t8 / rmi8 >= 2);
    double async = r.value("add.calls.async", RPYC);
    double rmi1 = r.value("add.calls.1thread", RMI);
    verdict(
        r,
        "pipelined async calls/s >= 10x RMI's 1-thread",
        async / rmi1,
        String.format(Locale.ROOT, "%.2fx (%,.0f vs %,.0f calls/s)", async / rmi1, async, rmi1),
        async / rmi1 >= 10);
    String echoRow = r.rows.containsKey("echo.1MiB") ? "echo.1MiB" : "echo.256KiB";
    double echo = r.value(echoRow, RPYC);
    double rmiEcho = r.value(echoRow, RMI);
    verdict(
        r,
        "1 MiB echo faster than RMI" + (echoRow.equals("echo.1MiB") ? "" : " (quick: 256 KiB)"),
        echo / rmiEcho,
        String.format(
            Locale.ROOT, "%.2fx the time (%.2f vs %.2f ms)", echo / rmiEcho, echo, rmiEcho),
        echo < rmiEcho);
    double worst = Double.POSITIVE_INFINITY;
    String worstRow = null;
    String python = pythonBaseline(r);
    for (Results.Row row : r.rows.values()) {
      if (row.id.equals("refs.cleanup")) {
        continue; // judged together with refs.create, below
      }
      double a = r.value(row.id, RPYC);
      double p = r.value(row.id, python);
      if (row.id.equals("refs.create")) {
        // CPython releases each object during the loop (refcounting sends the DEL at once), so
        // its cleanup happens inside its creation time: compare creation and cleanup together
        a += r.value("refs.cleanup", RPYC);
        p += r.value("refs.cleanup", python);
      }
      if (!Double.isNaN(a) && !Double.isNaN(p)) {
        double f = row.factor(a, p);
        if (f < worst) {
          worst = f;
          worstRow = row.id;
        }
      }
    }
    if (worstRow != null) {
      verdict(
          r,
          ">= 10x Python RPyC on every row it has",
          worst,
          String.format(
              Locale.ROOT,
              "lowest %.1fx (%s; against %s)",
              worst,
              worstRow,
              r.targetLabels.get(python)),
          worst >= 10);
    }
  }

  /**
   * What "Python RPyC" means in the comparisons: Python on both sides when measured, else the
   * Python server driven by rpyc-java's client.
   */
  static String pythonBaseline(Results r) {
    return r.targets.contains(PYTHON_BOTH) ? PYTHON_BOTH : PYTHON;
  }

  private static void verdict(
      Results r, String target, double ratio, String measured, boolean pass) {
    if (Double.isNaN(ratio) || Double.isInfinite(ratio)) {
      r.verdicts.add(new Results.Verdict(target, "not measured", false));
    } else {
      r.verdicts.add(new Results.Verdict(target, measured, pass));
    }
  }

  static void print(Results r, PrintStream out) {
    out.println();
    out.println(
        "rpyc-java side by side"
            + (r.quick ? " (QUICK MODE: correctness only, figures not meaningful)" : ""));
    r.machine.forEach((k, v) -> out.println("  " + k + ": " + v));
    for (String s : r.skipped) {
      out.println("  skipped: " + s);
    }
    List<String> header = new ArrayList<>(List.of("row", "unit"));
    for (String t : r.targets) {
      header.add(r.targetLabels.get(t));
    }
    header.addAll(List.of("rpyc/RMI", "rpyc/floor", "rpyc vs Python"));
    List<List<String>> lines = new ArrayList<>();
    lines.add(header);
    for (Results.Row row : r.rows.values()) {
      List<String> line = new ArrayList<>(List.of(row.label, row.unit));
      for (String t : r.targets) {
        Double v = row.values.get(t);
        line.add(
            v == null ? (row.problems.containsKey(t) ? "see below" : "n/a") : format(v, row.unit));
      }
      double a = r.value(row.id, RPYC);
      line.add(ratio(a, r.value(row.id, RMI)));
      line.add(ratio(a, r.value(row.id, RAW)));
      String python = pythonBaseline(r);
      double p = r.value(row.id, python);
      if (python.equals(PYTHON_BOTH) && row.id.startsWith("refs.")) {
        // CPython's cleanup happens inside its creation loop: compare the two rows together
        a = row.id.equals("refs.create") ? a + r.value("refs.cleanup", RPYC) : Double.NaN;
        p = p + r.value("refs.cleanup", python);
      }
      line.add(
          Double.isNaN(a) || Double.isNaN(p)
              ? ""
              : String.format(
                  Locale.ROOT,
                  "%.1fx faster%s",
                  row.factor(a, p),
                  row.id.equals("refs.create") && python.equals(PYTHON_BOTH)
                      ? " (with cleanup)"
                      : ""));
      lines.add(line);
    }
    out.println();
    printTable(lines, out);
    out.println();
    out.println("rpyc/RMI and rpyc/floor divide the figures: for µs and ms lower is better, for");
    out.println(
        "calls/s higher is better. 'rpyc vs Python' is how many times better rpyc-java is than "
            + r.targetLabels.getOrDefault(pythonBaseline(r), "Python RPyC")
            + ".");
    for (Results.Row row : r.rows.values()) {
      for (Map.Entry<String, String> e : row.notes.entrySet()) {
        out.println("  " + row.id + " / " + r.targetLabels.get(e.getKey()) + ": " + e.getValue());
      }
      for (Map.Entry<String, String> e : row.problems.entrySet()) {
        out.println(
            "  PROBLEM " + row.id + " / " + r.targetLabels.get(e.getKey()) + ": " + e.getValue());
      }
    }
    out.println();
    out.println("targets (issue 8), as measured in this run:");
    for (Results.Verdict v : r.verdicts) {
      out.printf("  %-4s %-60s %s%n", v.pass() ? "PASS" : "FAIL", v.target(), v.measured());
    }
  }

  private static String ratio(double a, double b) {
    return Double.isNaN(a) || Double.isNaN(b) ? "" : String.format(Locale.ROOT, "%.2f", a / b);
  }

  static String format(double v, String unit) {
    switch (unit) {
      case "calls/s":
        return String.format(Locale.ROOT, "%,.0f", v);
      case "µs":
        return String.format(Locale.ROOT, "%.1f", v);
      default:
        return v >= 100
            ? String.format(Locale.ROOT, "%,.0f", v)
            : String.format(Locale.ROOT, "%.2f", v);
    }
  }

  private static void printTable(List<List<String>> lines, PrintStream out) {
    int columns = lines.get(0).size();
    int[] width = new int[columns];
    for (List<String> line : lines) {
      for (int i = 0; i < columns; i++) {
        width[i] = Math.max(width[i], line.get(i).length());
      }
    }
    for (int l = 0; l < lines.size(); l++) {
      StringBuilder sb = new StringBuilder("| ");
      for (int i = 0; i < columns; i++) {
        String cell = lines.get(l).get(i);
        String pad = " ".repeat(width[i] - cell.length());
        sb.append(i < 2 ? cell + pad : pad + cell).append(" | ");
      }
      out.println(sb.toString().stripTrailing());
      if (l == 0) {
        StringBuilder rule = new StringBuilder("|");
        for (int i = 0; i < columns; i++) {
          rule.append(i < 2 ? "-".repeat(width[i] + 2) : "-".repeat(width[i] + 1) + ":");
          rule.append("|");
        }
        out.println(rule);
      }
    }
  }

  /** The results as JSON. */
  static String json(Results r) {
    StringBuilder sb = new StringBuilder("{\n");
    sb.append("  \"quick\": ").append(r.quick).append(",\n");
    sb.append("  \"machine\": {");
    appendMap(sb, r.machine);
    sb.append("},\n  \"targets\": {");
    appendMap(sb, r.targetLabels);
    sb.append("},\n  \"skipped\": [");
    for (int i = 0; i < r.skipped.size(); i++) {
      sb.append(i == 0 ? "" : ", ").append(quote(r.skipped.get(i)));
    }
    sb.append("],\n  \"rows\": [\n");
    int n = 0;
    for (Results.Row row : r.rows.values()) {
      sb.append(n++ == 0 ? "" : ",\n");
      sb.append("    {\"id\": ").append(quote(row.id));
      sb.append(", \"label\": ").append(quote(row.label));
      sb.append(", \"unit\": ").append(quote(row.unit));
      sb.append(", \"better\": ").append(quote(row.higherIsBetter ? "higher" : "lower"));
      sb.append(", \"median\": {");
      int m = 0;
      for (Map.Entry<String, Double> e : row.values.entrySet()) {
        sb.append(m++ == 0 ? "" : ", ").append(quote(e.getKey())).append(": ");
        sb.append(String.format(Locale.ROOT, "%.4f", e.getValue()));
      }
      sb.append("}, \"samples\": {");
      m = 0;
      for (Map.Entry<String, List<Double>> e : row.samples.entrySet()) {
        sb.append(m++ == 0 ? "" : ", ").append(quote(e.getKey())).append(": [");
        for (int i = 0; i < e.getValue().size(); i++) {
          sb.append(i == 0 ? "" : ", ")
              .append(String.format(Locale.ROOT, "%.4f", e.getValue().get(i)));
        }
        sb.append("]");
      }
      sb.append("}, \"notes\": {");
      appendMap(sb, row.notes);
      sb.append("}, \"problems\": {");
      appendMap(sb, row.problems);
      sb.append("}}");
    }
    sb.append("\n  ],\n  \"verdicts\": [\n");
    for (int i = 0; i < r.verdicts.size(); i++) {
      Results.Verdict v = r.verdicts.get(i);
      sb.append(i == 0 ? "" : ",\n");
      sb.append("    {\"target\": ").append(quote(v.target()));
      sb.append(", \"measured\": ").append(quote(v.measured()));
      sb.append(", \"pass\": ").append(v.pass()).append("}");
    }
    sb.append("\n  ]\n}\n");
    return sb.toString();
  }

  private static void appendMap(StringBuilder sb, Map<String, String> map) {
    int i = 0;
    for (Map.Entry<String, String> e : map.entrySet()) {
      sb.append(i++ == 0 ? "" : ", ").append(quote(e.getKey())).append(": ");
      sb.append(quote(e.getValue()));
    }
  }

  static String quote(String s) {
    StringBuilder sb = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"':
          sb.append("\\\"");
          break;
        case '\\':
          sb.append("\\\\");
          break;
        case '\n':
          sb.append("\\n");
          break;
        default:
          if (c < 0x20) {
            sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
      }
    }
    return sb.append('"').toString();
  }
}
