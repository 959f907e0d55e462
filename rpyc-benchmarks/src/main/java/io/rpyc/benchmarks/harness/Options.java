package io.rpyc.benchmarks.harness;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The harness's command line. */
final class Options {
  static final String USAGE =
      String.join(
          "\n",
          "usage: bin/rpyc-bench [options]",
          "  --quick              a few hundred calls per row, small payloads (the test suite's mode)",
          "  --json FILE          also write the results as JSON",
          "  --runs N             repetitions of each row; the median is reported (default 3)",
          "  --millis N           duration of each throughput measurement (default 2000)",
          "  --window N           outstanding calls in the pipelined row (default 128)",
          "  --refs N             remote references in the refs row (default 100000)",
          "  --targets LIST       comma-separated: rpyc-java,rmi,raw-tcp,raw-tcp-spin,python-rpyc,",
          "                       python-both (default all)",
          "  --rows LIST          comma-separated row-id prefixes, e.g. add.latency,echo (default"
              + " all)",
          "  --python PATH        the Python with RPyC 5.3 (default /usr/bin/python3)",
          "  --rpyc-server-opt X  an extra JVM option for the rpyc-java server (repeatable), e.g.",
          "                       -XX:StartFlightRecording=filename=server.jfr",
          "  --scale N            instead: N idle connections to one rpyc-java server; heap per"
              + " connection",
          "  --profile            instead: rpyc-java add with 1 thread, 8 threads and pipelined;",
          "                       per call and thread group: bytes, CPU, wakeups (thread hops)",
          "  --help");

  boolean quick;
  Path json;
  int runs = 3;
  long millis = 2000;
  int window = 128;
  int refs = 100_000;
  List<String> targets =
      List.of(
          SideBySide.RPYC,
          SideBySide.RMI,
          SideBySide.RAW,
          SideBySide.RAW_SPIN,
          SideBySide.PYTHON,
          SideBySide.PYTHON_BOTH);
  List<String> rows = List.of();
  String python = "/usr/bin/python3";
  final List<String> rpycServerJvmOptions = new ArrayList<>();
  int scaleConnections;
  boolean profile;

  static Options parse(String... args) {
    Options o = new Options();
    boolean runsGiven = false;
    boolean refsGiven = false;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--quick":
          o.quick = true;
          break;
        case "--json":
          o.json = Path.of(value(args, ++i, a));
          break;
        case "--runs":
          o.runs = Integer.parseInt(value(args, ++i, a));
          runsGiven = true;
          break;
        case "--millis":
          o.millis = Long.parseLong(value(args, ++i, a));
          break;
        case "--window":
          o.window = Integer.parseInt(value(args, ++i, a));
          break;
        case "--refs":
          o.refs = Integer.parseInt(value(args, ++i, a));
          refsGiven = true;
          break;
        case "--targets":
          o.targets = Arrays.asList(value(args, ++i, a).split(","));
          break;
        case "--rows":
          o.rows = Arrays.asList(value(args, ++i, a).split(","));
          break;
        case "--python":
          o.python = value(args, ++i, a);
          break;
        case "--rpyc-server-opt":
          o.rpycServerJvmOptions.add(value(args, ++i, a));
          break;
        case "--scale":
          o.scaleConnections = Integer.parseInt(value(args, ++i, a));
          break;
        case "--profile":
          o.profile = true;
          break;
        case "--help":
        case "-h":
          System.out.println(USAGE);
          System.exit(0);
          break;
        default:
          throw new IllegalArgumentException("unknown option " + a + "\n" + USAGE);
      }
    }
    if (o.quick) {
      o.runs = runsGiven ? o.runs : 1;
      o.refs = refsGiven ? o.refs : 300;
    }
    return o;
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) {
      throw new IllegalArgumentException(option + " needs a value\n" + USAGE);
    }
    return args[i];
  }

  boolean wants(String target) {
    return targets.contains(target);
  }

  boolean wantsRow(String id) {
    if (rows.isEmpty()) {
      return true;
    }
    for (String prefix : rows) {
      if (id.startsWith(prefix) || prefix.startsWith(id)) {
        return true;
      }
    }
    return false;
  }
}
