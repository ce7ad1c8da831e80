package io.switchboard.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every relay test again on a node whose media thread uses NIO ({@code switchboard.media.native-io = off}):
 * the way a build without the native library, or an IPv6 media address, moves packets.
 */
class RtpRelayNioTest extends RelayTests {

  @BeforeAll
  static void start() {
    node = startNode(31040, "switchboard.media.native-io = off");
  }

  @Test
  @Override
  void theMediaThreadUsesTheNativeCallsWhereTheBuildHasThem() throws Exception {
    assertTrue(Http.get(node.http() + "/metrics").body().contains("\nswitchboard_media_native_io 0.0\n"));
  }

  @Test
  @Override
  void theMediaThreadRunsAtTheConfiguredNice() throws Exception {
    // the previous test class's media thread may still be ending (it stops after its system terminates)
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (!mediaThreadNices().equals(List.of(0)) && System.nanoTime() < deadline) Thread.sleep(50);
    assertEquals(List.of(0), mediaThreadNices(), "with NIO there is no native call to change it");
  }

  @Test
  void aNodeRefusesAMediaThreadSettingItCannotHonour() {
    assertRefused("switchboard.media.thread-nice = -21", "switchboard.media.thread-nice must be between -20 and 19, not -21");
    assertRefused("switchboard.media.thread-slice = 50us",
        "switchboard.media.thread-slice must be 0 (the kernel's default) or between 100us and 100ms, not 50us");
    assertRefused("switchboard.media.warm-up-packets = -1",
        "switchboard.media.warm-up-packets must be between 0 (no warm-up) and 1000000, not -1");
    assertRefused("switchboard.media.native-io = sometimes", "switchboard.media.native-io must be auto, on or off, not \"sometimes\"");
    assertRefused("switchboard.media.ip = \"::1\"\nswitchboard.media.native-io = on",
        "switchboard.media.native-io = on, but native media I/O cannot be used: switchboard.media.ip is not an IPv4 address");
  }

  private static void assertRefused(String config, String message) {
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> TestNode.start(config).close());
    StringBuilder causes = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) causes.append(t.getMessage()).append('\n');
    assertTrue(causes.toString().contains(message), causes.toString());
  }
}
