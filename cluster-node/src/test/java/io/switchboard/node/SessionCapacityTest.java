package io.switchboard.node;

import static io.switchboard.node.RelayTests.createFromOffer;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.media.endpoint.EndpointEntity;
import io.switchboard.node.RelayTests.Leg;
import java.net.DatagramPacket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code switchboard.session.max-endpoints} as a user meets it: every way of adding an endpoint to a full
 * session is refused with the documented code, nothing changes, and nothing is left behind. Real UDP
 * peers on loopback check that media goes on.
 */
class SessionCapacityTest {

  static final int MAX = 3;
  static TestNode node;

  @BeforeAll
  static void start() {
    node = TestNode.start("""
        switchboard.media.port-min = 31600
        switchboard.media.port-max = 31631
        switchboard.session.max-endpoints = %d
        switchboard.session.disconnect-timeout = 500ms
        """.formatted(MAX));
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  static String tone(ControlClient c) {
    return c.ok("endpoint.create_tone", Map.of("tone", "ringback")).get("endpoint_id").asText();
  }

  static List<String> endpointIds(ControlClient c) {
    List<String> ids = new ArrayList<>();
    for (JsonNode e : c.ok("session.info", null).get("endpoints")) ids.add(e.get("endpoint_id").asText());
    return ids;
  }

  static void assertFull(JsonNode reply, String what) {
    assertTrue(reply.has("error"), what + " should have been refused: " + reply);
    assertEquals("ENDPOINT_ERROR", reply.get("error").get("code").asText(), what + ": " + reply);
    assertTrue(reply.get("error").get("message").asText().contains("maximum of " + MAX + " endpoints"),
        what + " names the limit: " + reply);
  }

  @Test
  void everyWayOfAddingAnEndpointToAFullSessionIsAnEndpointErrorAndTheSessionGoesOn() throws Exception {
    try (ControlClient c = ControlClient.connect(node.ws()); ControlClient other = ControlClient.connect(node.ws());
         RtpPeer a = new RtpPeer(1); RtpPeer b = new RtpPeer(2); RtpPeer x = new RtpPeer(3)) {
      c.ok("session.create", null);
      String s2 = other.ok("session.create", null).get("session_id").asText();
      Leg la = createFromOffer(c, a.offer("0", ""), "sendrecv");
      Leg lb = createFromOffer(c, b.offer("0", ""), "sendrecv");
      String t = tone(c);
      List<String> before = endpointIds(c);
      assertEquals(List.of(la.endpointId(), lb.endpointId(), t), before);

      assertFull(c.call("endpoint.create_from_offer", Map.of("sdp", x.offer("0", ""))), "endpoint.create_from_offer");
      assertFull(c.call("endpoint.create_offer", Map.of()), "endpoint.create_offer");
      assertFull(c.call("endpoint.create_tone", Map.of("tone", "beep")), "endpoint.create_tone");
      assertFull(c.call("endpoint.create_with_file", Map.of("source", "http://127.0.0.1:9/never-fetched.wav")),
          "endpoint.create_with_file");
      assertFull(c.call("session.bridge", Map.of("target_session_id", s2)), "session.bridge from a full session");

      assertEquals(before, endpointIds(c), "the refusals changed nothing");
      assertEquals(0, other.ok("session.info", null).get("endpoint_count").asInt(), "nor in the bridge's target");
      assertEquals("controlled", c.ok("session.info", null).get("state").asText());

      // the session still works: with the tone gone A and B talk directly, and there is room for one more
      c.ok("endpoint.remove", Map.of("endpoint_id", t));
      byte[] voice = RelayTests.tone(160);
      a.sendRtp(la.port(), 0, voice);
      DatagramPacket got = b.receive(2000);
      assertNotNull(got, "A's audio reaches B");
      assertEquals(lb.port(), got.getPort());
      assertEquals(voice[0], RtpPeer.payload(got)[0]);
      String offered = c.ok("endpoint.create_offer", Map.of()).get("endpoint_id").asText();
      assertEquals(List.of(la.endpointId(), lb.endpointId(), offered), endpointIds(c));
      assertFull(c.call("endpoint.create_tone", Map.of("tone", "beep")), "endpoint.create_tone when full again");
      c.ok("session.destroy", null);
      other.ok("session.destroy", null);
    }
  }

  @Test
  void bridgeIntoAFullSessionIsAnEndpointErrorAndLeavesNothingBehind() throws Exception {
    try (ControlClient c1 = ControlClient.connect(node.ws()); ControlClient c2 = ControlClient.connect(node.ws());
         RtpPeer a = new RtpPeer(1); RtpPeer b = new RtpPeer(2)) {
      c1.ok("session.create", null);
      String s2 = c2.ok("session.create", null).get("session_id").asText();
      Leg la = createFromOffer(c1, a.offer("0", ""), "sendrecv");
      Leg lb = createFromOffer(c2, b.offer("0", ""), "sendrecv");
      // two offers awaiting their answers fill the target without being voices in it
      c2.ok("endpoint.create_offer", Map.of());
      String pending = c2.ok("endpoint.create_offer", Map.of()).get("endpoint_id").asText();
      List<String> inS1 = endpointIds(c1);
      List<String> inS2 = endpointIds(c2);
      assertEquals(MAX, inS2.size(), "the target is full");
      Set<String> entitiesBefore = endpointEntities();

      JsonNode refused = c1.call("session.bridge", Map.of("target_session_id", s2, "direction", "sendrecv"));
      assertTrue(refused.has("error"), refused.toString());
      assertEquals("ENDPOINT_ERROR", refused.get("error").get("code").asText(), "as docs/protocol.md says: " + refused);
      assertTrue(refused.get("error").get("message").asText().contains(s2), refused.toString());
      assertTrue(refused.get("error").get("message").asText().contains("full"), refused.toString());

      assertEquals(inS1, endpointIds(c1), "the source session is as it was");
      assertEquals(inS2, endpointIds(c2), "the target session is as it was");
      // neither half lives on: every endpoint entity on the node existed before the attempt
      Set<String> leaked = awaitNoNewEntities(entitiesBefore);
      assertTrue(leaked.isEmpty(), "endpoint entities left behind by the failed bridge: " + leaked);
      c2.quietFor(300);
      assertTrue(c2.events.stream().noneMatch(e -> e.get("event").asText().startsWith("endpoint.transferred")),
          "the target heard of no endpoint: " + c2.events);
      a.sendRtp(la.port(), 0, new byte[160]);
      assertNull(b.receive(300), "no half-made bridge carries anything");

      // with room again a bridge works, and fills the target exactly: the failed one took no place there
      c2.ok("endpoint.remove", Map.of("endpoint_id", pending));
      JsonNode bridge = c1.ok("session.bridge", Map.of("target_session_id", s2, "direction", "sendrecv"));
      List<String> now = endpointIds(c2);
      assertEquals(MAX, now.size());
      assertEquals(bridge.get("target_endpoint_id").asText(), now.get(MAX - 1));
      assertEquals(List.of(la.endpointId(), bridge.get("endpoint_id").asText()), endpointIds(c1));
      byte[] voice = RelayTests.tone(160);
      a.sendRtp(la.port(), 0, voice);
      DatagramPacket atB = b.receive(2000);
      assertNotNull(atB, "A's audio crosses the new bridge");
      assertEquals(lb.port(), atB.getPort());
      assertArrayEquals(voice, RtpPeer.payload(atB));
      c1.ok("session.destroy", null);
      c2.ok("session.destroy", null);
    }
  }

  @Test
  void transferIntoAFullSessionIsTransferFailedAndTheEndpointKeepsItsPortAndMedia() throws Exception {
    try (ControlClient c1 = ControlClient.connect(node.ws()); ControlClient c2 = ControlClient.connect(node.ws());
         RtpPeer a = new RtpPeer(1); RtpPeer b = new RtpPeer(2)) {
      c1.ok("session.create", null);
      String s2 = c2.ok("session.create", null).get("session_id").asText();
      Leg la = createFromOffer(c1, a.offer("0", ""), "sendrecv");
      Leg lb = createFromOffer(c1, b.offer("0", ""), "sendrecv");
      for (int i = 0; i < MAX; i++) tone(c2);
      List<String> inS1 = endpointIds(c1);
      List<String> inS2 = endpointIds(c2);
      a.sendRtp(la.port(), 0, new byte[160]);
      assertNotNull(b.receive(2000));
      b.sendRtp(lb.port(), 0, new byte[160]);
      assertNotNull(a.receive(2000));

      JsonNode refused = c1.call("endpoint.transfer", Map.of("endpoint_id", la.endpointId(), "target_session_id", s2));
      assertTrue(refused.has("error"), refused.toString());
      assertEquals("TRANSFER_FAILED", refused.get("error").get("code").asText(), refused.toString());
      assertTrue(refused.get("error").get("message").asText().contains("full"), refused.toString());

      assertEquals(inS1, endpointIds(c1), "the endpoint is still in its session");
      assertEquals(inS2, endpointIds(c2));
      JsonNode info = c1.ok("session.info", null).get("endpoints").get(0);
      assertEquals("127.0.0.1:" + la.port(), info.get("local_address").asText());
      assertEquals("connected", info.get("state").asText());
      c1.quietFor(200);
      c2.quietFor(200);
      assertTrue(c1.events.stream().noneMatch(e -> e.get("event").asText().equals("endpoint.transferred_out")), c1.events.toString());
      assertTrue(c2.events.stream().noneMatch(e -> e.get("event").asText().equals("endpoint.transferred_in")), c2.events.toString());

      // media flows both ways as before, on the same ports
      byte[] voice = RelayTests.tone(160);
      a.sendRtp(la.port(), 0, voice);
      DatagramPacket atB = b.receive(2000);
      assertNotNull(atB, "A is still heard by B");
      assertEquals(lb.port(), atB.getPort());
      assertEquals(voice[10], RtpPeer.payload(atB)[10]);
      b.sendRtp(lb.port(), 0, new byte[] {4, 4, 4});
      DatagramPacket atA = a.receive(2000);
      assertNotNull(atA, "and hears B");
      assertEquals(la.port(), atA.getPort(), "from the endpoint's own port");
      assertEquals(3, RtpPeer.payload(atA).length);
      assertNull(a.receive(200), "no stray packets (nothing from the target's tones)");
      c1.ok("session.destroy", null);
      c2.ok("session.destroy", null);
    }
  }

  /** The ids of the node's endpoint entities, as its shard region reports them. */
  static Set<String> endpointEntities() throws Exception {
    ShardRegion.CurrentShardRegionState state = AskPattern.<org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery,
            ShardRegion.CurrentShardRegionState>ask(ClusterSharding.get(node.system).shardState(),
            reply -> new GetShardRegionState(EndpointEntity.TYPE_KEY, reply), Duration.ofSeconds(5), node.system.scheduler())
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    Set<String> ids = new HashSet<>();
    for (ShardRegion.ShardState shard : state.getShards()) ids.addAll(shard.getEntityIds());
    return ids;
  }

  /** Entities that are not in {@code before} and still live after a few seconds (closing takes a moment). */
  static Set<String> awaitNoNewEntities(Set<String> before) throws Exception {
    long deadline = System.currentTimeMillis() + 3000;
    Set<String> extra;
    do {
      extra = new HashSet<>(endpointEntities());
      extra.removeAll(before);
      if (extra.isEmpty()) return extra;
      Thread.sleep(100);
    } while (System.currentTimeMillis() < deadline);
    return extra;
  }
}
