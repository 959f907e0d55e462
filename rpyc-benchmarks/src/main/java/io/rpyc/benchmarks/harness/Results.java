package io.rpyc.benchmarks.harness;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one harness run measured: rows of figures per target, the machine, the targets' verdicts.
 */
final class Results {
  final Map<String, Row> rows = new LinkedHashMap<>();
  final Map<String, String> machine = new LinkedHashMap<>();
  final List<String> targets = new ArrayList<>();
  final Map<String, String> targetLabels = new LinkedHashMap<>();
  final List<Verdict> verdicts = new ArrayList<>();
  final List<String> skipped = new ArrayList<>();
  boolean quick;

  Row row(String id, String label, String unit, boolean higherIsBetter) {
    return rows.computeIfAbsent(id, k -> new Row(id, label, unit, higherIsBetter));
  }

  /** The median figure of a row for a target, or {@code NaN}. */
  double value(String rowId, String target) {
    Row row = rows.get(rowId);
    if (row == null) {
      return Double.NaN;
    }
    Double v = row.values.get(target);
    return v == null ? Double.NaN : v;
  }

  /** One measured quantity. */
  static final class Row {
    final String id;
    final String label;
    final String unit;
    final boolean higherIsBetter;
    final Map<String, List<Double>> samples = new LinkedHashMap<>();
    final Map<String, Double> values = new LinkedHashMap<>();
    final Map<String, String> notes = new LinkedHashMap<>();
    final Map<String, String> problems = new LinkedHashMap<>();

    Row(String id, String label, String unit, boolean higherIsBetter) {
      this.id = id;
      this.label = label;
      this.unit = unit;
      this.higherIsBetter = higherIsBetter;
    }

    void add(String target, double sample) {
      samples.computeIfAbsent(target, k -> new ArrayList<>()).add(sample);
      values.put(target, Stats.median(samples.get(target)));
    }

    /** How many times better {@code a} is than {@code b} (above 1: {@code a} is better). */
    double factor(double a, double b) {
      return higherIsBetter ? a / b : b / a;
    }
  }

  /** A target of issue 8, as measured. */
  record Verdict(String target, String measured, boolean pass) {}
}
