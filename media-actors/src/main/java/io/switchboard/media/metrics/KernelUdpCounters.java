package io.switchboard.media.metrics;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The kernel's UDP counters of this network namespace, from {@code /proc/net/snmp} (Linux). */
final class KernelUdpCounters {

  private static final Path SNMP = Path.of("/proc/net/snmp");

  private KernelUdpCounters() {}

  /** {@code Udp: RcvbufErrors}, or -1 where the kernel does not say (not Linux, no /proc). */
  static long receiveBufferErrors() {
    try {
      return receiveBufferErrors(Files.readAllLines(SNMP));
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** The file has a header line of names and a line of values per protocol; Udp's names its columns. */
  static long receiveBufferErrors(List<String> snmp) {
    String[] names = null;
    for (String line : snmp) {
      if (!line.startsWith("Udp: ")) continue;
      String[] fields = line.substring(5).trim().split("\\s+");
      if (names == null) {
        names = fields;
        continue;
      }
      for (int i = 0; i < names.length && i < fields.length; i++) {
        if (names[i].equals("RcvbufErrors")) return Long.parseLong(fields[i]);
      }
      return -1;
    }
    return -1;
  }
}
