package io.switchboard.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.node.RelayTests.Leg;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What an operator's Prometheus sees of the media plane: endpoints, packets in and out, drops by reason. */
class MediaMetricsTest {

  static TestNode node;

  @BeforeAll
  static void start() {
    node = TestNode.start("""
        switchboard.media.port-min = 31540
        switchboard.media.port-max = 31547
        switchboard.media.rtcp-interval = 1h
        switchboard.media.receive-buffer = 64KiB
        """);
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  /** The value of one sample line of the exposition, e.g. {@code name{label="x"}}; fails when absent. */
  private static double sample(String metrics, String series) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(metrics);
    assertTrue(m.find(), series + " missing from\n" + metrics);
    return Double.parseDouble(m.group(1));
  }

  /** Metrics as they are once the media thread has summed up again (about once a second). */
  private static String metricsAfterTheNextSummary() throws InterruptedException {
    Thread.sleep(1300);
    return Http.get(node.http() + "/metrics").body();
  }

  @Test
  void relayedPacketsEndpointsAndDropsAreCountedForTheNode() throws Exception {
    String before = metricsAfterTheNextSummary();
    double receivedBefore = sample(before, "switchboard_rtp_packets_received_total");
    double sentBefore = sample(before, "switchboard_rtp_packets_sent_total");
    double bytesSentBefore = sample(before, "switchboard_rtp_bytes_sent_total");
    double shortBefore = sample(before, "switchboard_rtp_packets_dropped_total{reason=\"too_short\"}");
    try (ControlClient c = ControlClient.connect(node.ws()); RtpPeer a = new RtpPeer(1); RtpPeer b = new RtpPeer(2)) {
      c.ok("session.create", null);
      Leg la = RelayTests.createFromOffer(c, a.offer("0", ""), "sendrecv");
      RelayTests.createFromOffer(c, b.offer("0", ""), "sendrecv");
      for (int i = 0; i < 20; i++) {
        a.sendRtp(la.port(), 0, new byte[160]);
        assertNotNull(b.receive(2000));
      }
      for (int i = 0; i < 7; i++) a.sendRaw(la.port(), new byte[] {(byte) 0x80, 0, 0});

      String during = metricsAfterTheNextSummary();
      assertEquals(2, sample(during, "switchboard_media_endpoints"));
      assertEquals(receivedBefore + 20, sample(during, "switchboard_rtp_packets_received_total"));
      assertEquals(sentBefore + 20, sample(during, "switchboard_rtp_packets_sent_total"));
      assertEquals(bytesSentBefore + 20 * 172, sample(during, "switchboard_rtp_bytes_sent_total"));
      assertEquals(shortBefore + 7, sample(during, "switchboard_rtp_packets_dropped_total{reason=\"too_short\"}"));
      c.ok("session.destroy", null);
    }
    String after = metricsAfterTheNextSummary();
    assertEquals(0, sample(after, "switchboard_media_endpoints"));
    assertEquals(receivedBefore + 20, sample(after, "switchboard_rtp_packets_received_total"),
        "removed endpoints' packets stay counted");
    assertTrue(sample(after, "switchboard_udp_receive_buffer_errors_total") >= 0);
  }
}
