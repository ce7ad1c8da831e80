package io.switchboard.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.net.http.HttpClient;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Creates N two-leg calls through Switchboard's control API and writes the pairs file of
 * shared/bench/rtpload: {@code local_a local_b relay_a relay_b session_id}. Each call is a session with
 * two endpoints answered from offers naming the generator's ports; the connection then closes, leaving
 * the session orphaned (run the node with a long disconnect-timeout).
 *
 * <p>Usage: {@code java -cp load-test/target/load-test.jar io.switchboard.loadtest.RelaySetup
 * ws://127.0.0.1:8080/control 500 40000 pairs.txt}
 */
public final class RelaySetup {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern M_AUDIO = Pattern.compile("m=audio (\\d+) ");

  public static void main(String[] args) throws Exception {
    String url = args[0];
    int calls = Integer.parseInt(args[1]);
    int localBase = Integer.parseInt(args[2]);
    String out = args[3];
    HttpClient http = HttpClient.newHttpClient();
    long start = System.nanoTime();
    try (PrintWriter w = new PrintWriter(out)) {
      w.println("# local_a local_b relay_a relay_b session_id");
      for (int i = 0; i < calls; i++) {
        int la = localBase + 4 * i;
        int lb = la + 2;
        ControlConnection c = new ControlConnection(http, url);
        String session = c.call("session.create", "{}").get("session_id").asText();
        int ra = port(c.call("endpoint.create_from_offer", "{\"sdp\":" + JSON.writeValueAsString(sdp(la)) + "}"));
        int rb = port(c.call("endpoint.create_from_offer", "{\"sdp\":" + JSON.writeValueAsString(sdp(lb)) + "}"));
        c.close();
        w.printf("%d %d %d %d %s%n", la, lb, ra, rb, session);
      }
    }
    System.out.printf("setup: %d calls in %.2fs -> %s%n", calls, (System.nanoTime() - start) / 1e9, out);
    System.exit(0);
  }

  private static String sdp(int port) {
    return "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=rtpload\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
        + "m=audio " + port + " RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=ptime:20\r\na=sendrecv\r\n";
  }

  private static int port(JsonNode result) {
    Matcher m = M_AUDIO.matcher(result.get("sdp_answer").asText());
    if (!m.find()) throw new IllegalStateException("no m=audio in " + result);
    return Integer.parseInt(m.group(1));
  }

  private RelaySetup() {}
}
