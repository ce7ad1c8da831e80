package io.switchboard.loadtest;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Measures file playback pacing over minutes at a real UDP peer: writes a WAV of the given length into
 * the node's media directory, plays it to an RTP endpoint whose peer is this program, and records when
 * each packet arrives. Reports the packet count, the drift of the last packet against 20 ms × n, the
 * spread of arrival times around that schedule, and bursts (packets closer than 5 ms).
 *
 * <p>Usage: {@code java -cp load-test/target/load-test.jar io.switchboard.loadtest.PlaybackPacing
 * ws://127.0.0.1:8080/control <media dir of the node> <seconds>}
 */
public final class PlaybackPacing {

  public static void main(String[] args) throws Exception {
    String url = args[0];
    Path mediaDir = Path.of(args[1]);
    int seconds = Integer.parseInt(args[2]);
    Files.createDirectories(mediaDir);
    writeWav(mediaDir.resolve("pacing.wav"), seconds);
    int expected = seconds * 50;
    long[] arrivals = new long[expected + 100];
    try (DatagramSocket peer = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      ControlConnection c = new ControlConnection(HttpClient.newHttpClient(), url);
      c.call("session.create", "{}");
      String offer = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio " + peer.getLocalPort()
          + " RTP/AVP 0\r\na=sendrecv\r\n";
      c.call("endpoint.create_from_offer", "{\"sdp\":" + ControlConnection.JSON.writeValueAsString(offer) + "}");
      c.call("endpoint.create_with_file", "{\"source\":\"pacing.wav\"}");
      DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
      int n = 0;
      peer.setSoTimeout(2000);
      while (n < arrivals.length) {
        try {
          peer.receive(p);
        } catch (java.net.SocketTimeoutException end) {
          break;
        }
        if ((p.getData()[1] & 0xff) >= 192 && (p.getData()[1] & 0xff) <= 223) continue; // RTCP
        arrivals[n++] = System.nanoTime();
      }
      c.call("session.destroy", "{}");
      c.close();
      report(Arrays.copyOf(arrivals, n), expected, seconds);
    }
    System.exit(0);
  }

  private static void report(long[] t, int expected, int seconds) {
    int n = t.length;
    double span = (t[n - 1] - t[0]) / 1e6;
    double ideal = (n - 1) * 20.0;
    double[] offsets = new double[n];
    int bursts = 0;
    double maxGap = 0;
    for (int i = 0; i < n; i++) {
      offsets[i] = (t[i] - t[0]) / 1e6 - i * 20.0;
      if (i > 0) {
        double gap = (t[i] - t[i - 1]) / 1e6;
        maxGap = Math.max(maxGap, gap);
        if (gap < 5) bursts++;
      }
    }
    double[] abs = Arrays.stream(offsets).map(Math::abs).sorted().toArray();
    System.out.printf("file %d s: packets %d (expected %d); first-to-last %.1f ms vs %.1f ms scheduled: drift %+.1f ms (%.0f ppm)%n",
        seconds, n, expected, span, ideal, span - ideal, (span - ideal) / ideal * 1e6);
    System.out.printf("arrival vs schedule |offset|: p50 %.2f ms, p99 %.2f ms, max %.2f ms; largest gap %.1f ms; packets < 5 ms apart: %d%n",
        abs[n / 2], abs[(int) (n * 0.99)], abs[n - 1], maxGap, bursts);
  }

  /** A 400 Hz tone of {@code seconds}, 16-bit mono at 8 kHz. */
  private static void writeWav(Path file, int seconds) throws IOException {
    int samples = seconds * 8000;
    ByteBuffer b = ByteBuffer.allocate(44 + 2 * samples).order(ByteOrder.LITTLE_ENDIAN);
    b.put("RIFF".getBytes()).putInt(36 + 2 * samples).put("WAVE".getBytes()).put("fmt ".getBytes()).putInt(16)
        .putShort((short) 1).putShort((short) 1).putInt(8000).putInt(16000).putShort((short) 2).putShort((short) 16)
        .put("data".getBytes()).putInt(2 * samples);
    for (int i = 0; i < samples; i++) b.putShort((short) (6000 * Math.sin(2 * Math.PI * 400 * i / 8000.0)));
    Files.write(file, b.array());
  }

  private PlaybackPacing() {}
}
