package io.switchboard.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.switchboard.media.codec.G711;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** File playback heard at real UDP peers: timing, content, controls, URLs and the cache, bad sources. */
class PlaybackTest {

  static TestNode node;
  static Path media;
  static HttpServer web;
  static final AtomicInteger downloads = new AtomicInteger();
  static final AtomicInteger musicDownloads = new AtomicInteger();

  @BeforeAll
  static void start() throws Exception {
    media = Files.createTempDirectory("switchboard-media");
    node = TestNode.start("""
        switchboard.media.port-min = 31300
        switchboard.media.port-max = 31319
        switchboard.media.rtcp-interval = 1h
        switchboard.media.dir = "%s"
        switchboard.media.max-file-size = 100KiB
        """.formatted(media));
    web = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    web.createContext("/hold.wav", exchange -> {
      downloads.incrementAndGet();
      byte[] body = Files.readAllBytes(media.resolve("tone400.wav"));
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    web.createContext("/music.wav", exchange -> {
      musicDownloads.incrementAndGet();
      byte[] body = Files.readAllBytes(media.resolve("tone400.wav"));
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    web.createContext("/big.wav", exchange -> {
      byte[] body = new byte[200 * 1024];
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    web.createContext("/slow.wav", exchange -> {
      try {
        Thread.sleep(3000);
      } catch (InterruptedException ignored) {
        Thread.currentThread().interrupt();
      }
      exchange.sendResponseHeaders(500, -1);
      exchange.close();
    });
    web.start();
    wav(media.resolve("tone400.wav"), 8000, 1, 16, 8000, t -> 6000 * Math.sin(2 * Math.PI * 400 * t));
  }

  @AfterAll
  static void stop() {
    web.stop(0);
    node.close();
  }

  /** A PCM WAV of {@code samples} frames; every channel carries {@code signal(t seconds)}. */
  static void wav(Path file, int rate, int channels, int bits, int samples, java.util.function.DoubleUnaryOperator signal) throws IOException {
    int bytes = bits / 8;
    ByteBuffer b = ByteBuffer.allocate(44 + samples * channels * bytes).order(ByteOrder.LITTLE_ENDIAN);
    b.put("RIFF".getBytes()).putInt(36 + samples * channels * bytes).put("WAVE".getBytes()).put("fmt ".getBytes())
        .putInt(16).putShort((short) 1).putShort((short) channels).putInt(rate).putInt(rate * channels * bytes)
        .putShort((short) (channels * bytes)).putShort((short) bits).put("data".getBytes()).putInt(samples * channels * bytes);
    for (int i = 0; i < samples; i++) {
      double v = signal.applyAsDouble((double) i / rate);
      for (int c = 0; c < channels; c++) {
        if (bits == 16) b.putShort((short) Math.round(v));
        else b.put((byte) (Math.round(v / 256) + 128));
      }
    }
    Files.write(file, b.array());
  }

  static short[] decode(byte[] payload, G711 law) {
    short[] pcm = new short[payload.length];
    for (int i = 0; i < pcm.length; i++) pcm[i] = G711.decodeSample(law, payload[i]);
    return pcm;
  }

  static String play(ControlClient c, Map<String, Object> params) {
    return c.ok("endpoint.create_with_file", params).get("endpoint_id").asText();
  }

  /** The next state change: of this endpoint, from one state to another. */
  static void awaitState(ControlClient c, String endpointId, String from, String to) {
    JsonNode change = c.awaitEvent("endpoint.state_changed").get("data");
    assertEquals(endpointId, change.get("endpoint_id").asText());
    assertEquals(from, change.get("old_state").asText());
    assertEquals(to, change.get("new_state").asText());
  }

  /** The node's {@code switchboard_playback_decodes_total}, as a Prometheus scraper reads it. */
  static long decodes() {
    return counter("switchboard_playback_decodes_total");
  }

  static long counter(String name) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^" + name + " (\\S+)$")
        .matcher(Http.get(node.http() + "/metrics").body());
    assertTrue(m.find(), name + " is exported");
    return (long) Double.parseDouble(m.group(1));
  }

  /** Waits for every one of {@code endpointIds} to reach {@code state}, in any order, passing over other changes. */
  static void awaitStateOf(ControlClient c, String state, String... endpointIds) {
    java.util.Set<String> waiting = new java.util.HashSet<>(List.of(endpointIds));
    while (!waiting.isEmpty()) {
      JsonNode change = c.awaitEvent("endpoint.state_changed").get("data");
      if (change.get("new_state").asText().equals(state)) waiting.remove(change.get("endpoint_id").asText());
    }
  }

  @Test
  void aSharedSourceIsDecodedOnceForEverySessionThatPlaysIt() throws Exception {
    wav(media.resolve("hold-music.wav"), 8000, 1, 16, 16000, t -> 6000 * Math.sin(2 * Math.PI * 500 * t));
    List<ControlClient> clients = new java.util.ArrayList<>();
    List<RtpPeer> peers = new java.util.ArrayList<>();
    try {
      long before = decodes();
      List<String> files = new java.util.ArrayList<>();
      for (int i = 0; i < 3; i++) {
        ControlClient c = ControlClient.connect(node.ws());
        RtpPeer peer = new RtpPeer(i + 1);
        clients.add(c);
        peers.add(peer);
        c.ok("session.create", null);
        RelayTests.createFromOffer(c, peer.offer("0", ""), "sendrecv");
        files.add(play(c, Map.of("source", "hold-music.wav", "shared", true)));
      }
      for (int i = 0; i < 3; i++) {
        awaitState(clients.get(i), files.get(i), "buffering", "playing");
        for (int p = 0; p < 10; p++) {
          var packet = peers.get(i).receive(2000);
          assertNotNull(packet, "session " + i + " packet " + p);
          if (p == 5) assertTrue(MediaSourcesTest.power(decode(RtpPeer.payload(packet), G711.PCMU), 500) > 0.01, "the hold music");
        }
      }
      assertEquals(1, decodes() - before, "three sessions, one decode");

      // the count is of decodes, not of sources: without sharing, each play decodes the file again
      for (int i = 0; i < 2; i++) {
        ControlClient c = clients.get(i);
        c.ok("endpoint.remove", Map.of("endpoint_id", files.get(i)));
        awaitStateOf(c, "playing", play(c, Map.of("source", "hold-music.wav")));
      }
      assertEquals(3, decodes() - before, "two more plays, unshared: two more decodes");
    } finally {
      for (ControlClient c : clients) {
        c.ok("session.destroy", null);
        c.close();
      }
      peers.forEach(RtpPeer::close);
    }
  }

  @Test
  void withoutSharingOneDownloadServesEveryPlayWithinItsTtlAndItThenExpires() throws Exception {
    String url = "http://127.0.0.1:" + web.getAddress().getPort() + "/music.wav";
    Map<String, Object> music = Map.of("source", url, "cache_ttl_secs", 2);
    try (ControlClient c = ControlClient.connect(node.ws())) {
      c.ok("session.create", null);
      long before = decodes();
      long downloadsBefore = counter("switchboard_playback_downloads_total");
      int fetched = musicDownloads.get();
      long firstPlayMs = System.currentTimeMillis();
      String first = play(c, music);
      String second = play(c, music);
      awaitStateOf(c, "playing", first, second);
      assertEquals(1, musicDownloads.get() - fetched, "two plays within the TTL: one download");
      assertEquals(2, decodes() - before, "each unshared play decodes its own clip");

      Thread.sleep(Math.max(0, firstPlayMs + 2300 - System.currentTimeMillis()));
      awaitStateOf(c, "playing", play(c, music));
      assertEquals(2, musicDownloads.get() - fetched, "after cache_ttl_secs the URL is fetched again");
      assertEquals(2, counter("switchboard_playback_downloads_total") - downloadsBefore, "and the node counts what it fetched");
      c.ok("session.destroy", null);
    }
  }

  @Test
  void startMsBeginsPlayingAtThatPointOfTheFile() throws Exception {
    // 400 Hz for the first half second, 1200 Hz for the second
    wav(media.resolve("two-tones.wav"), 8000, 1, 16, 8000, t -> 6000 * Math.sin(2 * Math.PI * (t < 0.5 ? 400 : 1200) * t));
    try (ControlClient c = ControlClient.connect(node.ws()); RtpPeer a = new RtpPeer(1)) {
      c.ok("session.create", null);
      RelayTests.createFromOffer(c, a.offer("0", ""), "sendrecv");

      // from 500 ms: the second half only, 25 packets of 1200 Hz
      String late = play(c, Map.of("source", "two-tones.wav", "start_ms", 500));
      for (int i = 0; i < 25; i++) {
        var p = a.receive(2000);
        assertNotNull(p, "packet " + i);
        short[] pcm = decode(RtpPeer.payload(p), G711.PCMU);
        assertTrue(MediaSourcesTest.power(pcm, 1200) > 0.01 && MediaSourcesTest.power(pcm, 400) < 0.001,
            "packet " + i + " is from the second half");
      }
      assertNull(a.receive(300), "the 500 ms after start_ms are 25 packets");
      awaitStateOf(c, "finished", late);
      c.ok("endpoint.remove", Map.of("endpoint_id", late));

      // from 250 ms: 12 packets of the first half, one across the change, 24 and a half of the second
      String middle = play(c, Map.of("source", "two-tones.wav", "start_ms", 250));
      int packets = 0;
      for (var p = a.receive(2000); p != null; p = a.receive(300)) {
        short[] pcm = decode(RtpPeer.payload(p), G711.PCMU);
        if (packets < 12) assertTrue(MediaSourcesTest.power(pcm, 400) > 0.01 && MediaSourcesTest.power(pcm, 1200) < 0.001, "packet " + packets);
        if (packets > 12 && packets < 37) assertTrue(MediaSourcesTest.power(pcm, 1200) > 0.01 && MediaSourcesTest.power(pcm, 400) < 0.001, "packet " + packets);
        packets++;
      }
      assertEquals(38, packets, "750 ms left of the file");
      awaitStateOf(c, "finished", middle);
      c.ok("session.destroy", null);
    }
  }

  @Test
  void aWavPlaysAtRealTimeAndSoundsLikeTheFile() throws Exception {
    // a "speech-like" signal: three partials whose loudness moves, so every frame differs
    java.util.function.DoubleUnaryOperator voice = t -> (3000 + 2500 * Math.sin(2 * Math.PI * 3 * t))
        * (Math.sin(2 * Math.PI * 220 * t) + 0.5 * Math.sin(2 * Math.PI * 660 * t) + 0.3 * Math.sin(2 * Math.PI * 1320 * t));
    wav(media.resolve("voice.wav"), 8000, 1, 16, 24000, voice);
    try (ControlClient c = ControlClient.connect(node.ws()); RtpPeer a = new RtpPeer(1)) {
      c.ok("session.create", null);
      RelayTests.createFromOffer(c, a.offer("8", ""), "sendrecv");
      c.awaitEvent("app.started");
      String file = play(c, Map.of("source", "voice.wav"));
      awaitState(c, file, "buffering", "playing");
      long first = 0;
      long last = 0;
      for (int i = 0; i < 150; i++) {
        var p = a.receive(2000);
        assertNotNull(p, "packet " + i);
        if (i == 0) first = System.nanoTime();
        last = System.nanoTime();
        assertEquals(8, RtpPeer.pt(p));
        short[] heard = decode(RtpPeer.payload(p), G711.PCMA);
        for (int s = 0; s < 160; s++) {
          double expected = voice.applyAsDouble((i * 160 + s) / 8000.0);
          assertTrue(Math.abs(heard[s] - expected) <= Math.max(24, Math.abs(expected) / 14),
              "frame " + i + " sample " + s + ": heard " + heard[s] + ", file " + expected);
        }
      }
      assertEquals(149 * 20.0, (last - first) / 1e6, 149 * 20.0 * 0.02, "paced at 50 packets a second");
      assertNull(a.receive(300), "3 s of audio is 150 packets");
      awaitState(c, file, "playing", "finished");
      JsonNode finished = c.awaitEvent("endpoint.file.finished").get("data");
      assertEquals("completed", finished.get("reason").asText());
      assertTrue(finished.get("error").isNull());
      c.ok("session.destroy", null);
    }
  }

  @Test
  void stereo44kWavAn8BitWavAndMp3AreConvertedForThePeer() throws Exception {
    wav(media.resolve("stereo44k.wav"), 44100, 2, 16, 22050, t -> 8000 * Math.sin(2 * Math.PI * 1000 * t));
    wav(media.resolve("for-mp3.wav"), 22050, 1, 16, 11025, t -> 8000 * Math.sin(2 * Math.PI * 700 * t));
    RecordingTest.run("sox", media.resolve("for-mp3.wav").toString(), media.resolve("tone700.mp3").toString());
    try (ControlClient c = ControlClient.connect(node.ws()); RtpPeer a = new RtpPeer(1)) {
      c.ok("session.create", null);
      RelayTests.createFromOffer(c, a.offer("0", ""), "sendrecv");
      wav(media.resolve("eight-bit.wav"), 11025, 1, 8, 5513, t -> 20000 * Math.sin(2 * Math.PI * 600 * t));
      for (String[] f : new String[][] {{"stereo44k.wav", "1000"}, {"tone700.mp3", "700"}, {"eight-bit.wav", "600"}}) {
        String file = play(c, Map.of("source", f[0]));
        double hz = Double.parseDouble(f[1]);
        for (int i = 0; i < 20; i++) {
          var p = a.receive(2000);
          assertNotNull(p, f[0] + " packet " + i);
          if (i >= 5 && i < 15) {
            short[] pcm = decode(RtpPeer.payload(p), G711.PCMU);
            assertTrue(MediaSourcesTest.power(pcm, hz) > 0.02, f[0] + " frame " + i + " carries " + hz + " Hz");
            assertTrue(MediaSourcesTest.power(pcm, hz * 1.5) < MediaSourcesTest.power(pcm, hz) / 100, "and little else");
          }
        }
        JsonNode done = c.awaitEvent("endpoint.file.finished").get("data");
        assertEquals(file, done.get("endpoint_id").asText());
        assertEquals("completed", done.get("reason").asText(), done.toString());
        c.ok("endpoint.remove", Map.of("endpoint_id", file));
        a.drain();
      }
      c.ok("session.destroy", null);
    }
  }

  @Test
  void pauseResumeSeekAndLoops() throws Exception {
    // 400 Hz for the first half second, 1200 Hz for the second
    wav(media.resolve("halves.wav"), 8000, 1, 16, 8000, t -> 6000 * Math.sin(2 * Math.PI * (t < 0.5 ? 400 : 1200) * t));
    wav(media.resolve("short.wav"), 8000, 1, 16, 1600, t -> 6000 * Math.sin(2 * Math.PI * 400 * t));
    try (ControlClient c = ControlClient.connect(node.ws()); RtpPeer a = new RtpPeer(1)) {
      c.ok("session.create", null);
      RelayTests.createFromOffer(c, a.offer("0", ""), "sendrecv");
      String file = play(c, Map.of("source", "halves.wav"));
      for (int i = 0; i < 5; i++) assertNotNull(a.receive(2000));
      c.ok("endpoint.file.pause", Map.of("endpoint_id", file));
      a.drain();
      assertNull(a.receive(300), "paused: nothing is sent");
      assertEquals("ENDPOINT_ERROR", c.errorCode("endpoint.file.pause", Map.of("endpoint_id", file)), "already paused");
      c.ok("endpoint.file.seek", Map.of("endpoint_id", file, "position_ms", 600));
      c.ok("endpoint.file.resume", Map.of("endpoint_id", file));
      var p = a.receive(2000);
      assertNotNull(p);
      short[] pcm = decode(RtpPeer.payload(p), G711.PCMU);
      assertTrue(MediaSourcesTest.power(pcm, 1200) > 0.01 && MediaSourcesTest.power(pcm, 400) < 0.001,
          "after the seek to 600 ms: the second half");
      List<String> states = new java.util.ArrayList<>();
      for (int i = 0; i < 3; i++) states.add(c.awaitEvent("endpoint.state_changed").get("data").get("new_state").asText());
      assertEquals(List.of("playing", "paused", "playing"), states);
      assertEquals("INVALID_PARAMS", c.errorCode("endpoint.file.seek", Map.of("endpoint_id", file, "position_ms", -5)));
      c.ok("endpoint.remove", Map.of("endpoint_id", file));
      a.drain();

      // 200 ms played once and looped twice more: 30 packets, then finished
      Map<String, Object> looped = new HashMap<>(Map.of("source", "short.wav", "loop_count", 2));
      String loops = play(c, looped);
      int packets = 0;
      while (a.receive(400) != null) packets++;
      assertEquals(30, packets);
      JsonNode done = c.awaitEvent("endpoint.file.finished").get("data");
      assertEquals(loops, done.get("endpoint_id").asText());
      assertEquals("ENDPOINT_ERROR", c.errorCode("endpoint.file.seek", Map.of("endpoint_id", loops, "position_ms", 0)), "finished");

      // loop_count null: for ever (stopped by removal)
      Map<String, Object> forever = new HashMap<>();
      forever.put("source", "short.wav");
      forever.put("loop_count", null);
      String endless = play(c, forever);
      for (int i = 0; i < 40; i++) assertNotNull(a.receive(2000), "still looping at packet " + i);
      c.ok("endpoint.remove", Map.of("endpoint_id", endless));
      c.ok("session.destroy", null);
    }
  }

  @Test
  void aUrlIsDownloadedOnceForConcurrentSharedPlaysAndFailuresAreReported() throws Exception {
    String url = "http://127.0.0.1:" + web.getAddress().getPort();
    int before = downloads.get();
    try (ControlClient c1 = ControlClient.connect(node.ws()); ControlClient c2 = ControlClient.connect(node.ws());
         RtpPeer a = new RtpPeer(1); RtpPeer b = new RtpPeer(2)) {
      c1.ok("session.create", null);
      c2.ok("session.create", null);
      RelayTests.createFromOffer(c1, a.offer("0", ""), "sendrecv");
      RelayTests.createFromOffer(c2, b.offer("0", ""), "sendrecv");
      Map<String, Object> hold = Map.of("source", url + "/hold.wav", "shared", true, "cache_ttl_secs", 60);
      play(c1, hold);
      play(c2, hold);
      for (RtpPeer peer : List.of(a, b)) {
        for (int i = 0; i < 10; i++) {
          var p = peer.receive(3000);
          assertNotNull(p);
          if (i == 5) assertTrue(MediaSourcesTest.power(decode(RtpPeer.payload(p), G711.PCMU), 400) > 0.01);
        }
      }
      assertEquals(1, downloads.get() - before, "one download for both sessions");

      String missing = play(c1, Map.of("source", url + "/nothing.wav"));
      JsonNode failed = c1.awaitEvent("endpoint.file.finished").get("data");
      while (!failed.get("endpoint_id").asText().equals(missing)) failed = c1.awaitEvent("endpoint.file.finished").get("data");
      assertEquals("error", failed.get("reason").asText());
      assertTrue(failed.get("error").asText().contains("404"), failed.toString());

      String big = play(c1, Map.of("source", url + "/big.wav"));
      JsonNode tooBig = c1.awaitEvent("endpoint.file.finished").get("data");
      while (!tooBig.get("endpoint_id").asText().equals(big)) tooBig = c1.awaitEvent("endpoint.file.finished").get("data");
      assertTrue(tooBig.get("error").asText().contains("larger than"), tooBig.toString());

      String slow = play(c2, Map.of("source", url + "/slow.wav", "timeout_ms", 300));
      JsonNode late = c2.awaitEvent("endpoint.file.finished").get("data");
      while (!late.get("endpoint_id").asText().equals(slow)) late = c2.awaitEvent("endpoint.file.finished").get("data");
      assertEquals("error", late.get("reason").asText());
      assertTrue(late.get("error").asText().contains("timed out"), late.toString());
      c1.ok("session.destroy", null);
      c2.ok("session.destroy", null);
    }
  }

  @Test
  void badSourcesAreRefusedOrEndInAnErrorNeverACrash() throws Exception {
    Path outside = Files.createTempDirectory("switchboard-outside");
    wav(outside.resolve("secret.wav"), 8000, 1, 16, 800, t -> 0);
    Files.createSymbolicLink(media.resolve("link.wav"), outside.resolve("secret.wav"));
    Files.write(media.resolve("garbage.wav"), "RIFF....WAVEnot really a wave file".getBytes());
    Files.write(media.resolve("noise.mp3"), new byte[] {'I', 'D', '3', 3, 0, 0, 0, 0, 0, 0, 1, 2, 3});
    wav(media.resolve("24bit.wav"), 8000, 1, 16, 800, t -> 0);
    byte[] odd = Files.readAllBytes(media.resolve("24bit.wav"));
    ByteBuffer.wrap(odd).order(ByteOrder.LITTLE_ENDIAN).putShort(34, (short) 24).putShort(32, (short) 3);
    Files.write(media.resolve("24bit.wav"), odd);
    try (ControlClient c = ControlClient.connect(node.ws())) {
      c.ok("session.create", null);
      for (String bad : List.of("../x.wav", outside.resolve("secret.wav").toString(), "link.wav", "absent.wav", "ftp://h/x.wav", "")) {
        assertEquals("INVALID_PARAMS", c.errorCode("endpoint.create_with_file", Map.of("source", bad)), bad);
      }
      assertEquals("INVALID_PARAMS", c.errorCode("endpoint.create_with_file", Map.of()));
      assertEquals("INVALID_PARAMS", c.errorCode("endpoint.create_with_file", Map.of("source", "voice.wav", "loop_count", -1)));
      assertEquals("INVALID_PARAMS", c.errorCode("endpoint.create_with_file", Map.of("source", "voice.wav", "timeout_ms", 1)));
      assertEquals(0, c.ok("session.info", null).get("endpoint_count").asInt(), "refusals create nothing");

      for (String broken : List.of("garbage.wav", "noise.mp3", "24bit.wav")) {
        String id = play(c, Map.of("source", broken));
        JsonNode done = c.awaitEvent("endpoint.file.finished").get("data");
        assertEquals(id, done.get("endpoint_id").asText());
        assertEquals("error", done.get("reason").asText());
        assertTrue(!done.get("error").asText().isBlank(), broken + ": " + done);
      }
      String tone = c.ok("endpoint.create_tone", Map.of("tone", "sine")).get("endpoint_id").asText();
      assertEquals("ENDPOINT_ERROR", c.errorCode("endpoint.file.pause", Map.of("endpoint_id", tone)), "not a file");
      assertEquals("ENDPOINT_ERROR", c.errorCode("endpoint.file.resume", Map.of("endpoint_id", "nope")));
      c.ok("session.destroy", null);
    }
  }
}
