package io.switchboard.media.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class KernelUdpCountersTest {

  @Test
  void readsRcvbufErrorsFromTheUdpLinesAndNotFromUdpLite() {
    List<String> snmp = List.of(
        "Ip: Forwarding DefaultTTL",
        "Ip: 1 64",
        "UdpLite: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors",
        "UdpLite: 0 0 0 0 99 0",
        "Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors",
        "Udp: 63297805 167933 12950 63484015 12951 0 0 0 0");
    assertEquals(12951, KernelUdpCounters.receiveBufferErrors(snmp));
  }

  @Test
  void aFileWithoutTheCounterSaysSo() {
    assertEquals(-1, KernelUdpCounters.receiveBufferErrors(List.of("Udp: InDatagrams", "Udp: 5")));
    assertEquals(-1, KernelUdpCounters.receiveBufferErrors(List.of()));
  }

  @Test
  void thisMachinesKernelIsRead() {
    assertTrue(KernelUdpCounters.receiveBufferErrors() >= 0, "Linux has /proc/net/snmp");
  }
}
