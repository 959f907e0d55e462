package io.rpyc.benchmarks.harness;

import io.rpyc.internal.transport.Transport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Describes the machine a run measured on. */
final class Machine {
  private Machine() {}

  static void describe(Map<String, String> out) {
    out.put("cpus", String.valueOf(Runtime.getRuntime().availableProcessors()));
    out.put("cpuModel", cpuModel());
    out.put(
        "jdk",
        System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
    out.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    out.put("nettyTransport", Transport.usesEpoll() ? "epoll" : "nio");
    out.put("loadAverageBefore", loadAverage());
  }

  /** The 1-, 5- and 15-minute load averages, or "?" where /proc is not there. */
  static String loadAverage() {
    try {
      String[] parts =
          Files.readString(Path.of("/proc/loadavg"), StandardCharsets.US_ASCII).split(" ");
      return parts[0] + " " + parts[1] + " " + parts[2];
    } catch (IOException | RuntimeException e) {
      return "?";
    }
  }

  private static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"), StandardCharsets.UTF_8)) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return System.getProperty("os.arch");
  }
}
