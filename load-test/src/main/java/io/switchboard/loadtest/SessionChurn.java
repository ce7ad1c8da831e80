package io.switchboard.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Session create+destroy throughput through the control WebSocket: {@code connections} clients each run
 * session.create then session.destroy back to back, for {@code seconds} after a warm-up.
 *
 * <p>Usage: {@code java -cp load-test/target/load-test.jar io.switchboard.loadtest.SessionChurn
 * ws://127.0.0.1:8080/control 32 20}
 */
public final class SessionChurn {

  private static final ObjectMapper JSON = new ObjectMapper();

  public static void main(String[] args) throws Exception {
    String url = args.length > 0 ? args[0] : "ws://127.0.0.1:8080/control";
    int connections = args.length > 1 ? Integer.parseInt(args[1]) : 32;
    int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 20;
    int warmupSeconds = args.length > 3 ? Integer.parseInt(args[3]) : 5;

    AtomicLong cycles = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    HttpClient http = HttpClient.newHttpClient();
    List<Client> clients = new ArrayList<>();
    for (int i = 0; i < connections; i++) clients.add(new Client(http, url, cycles, errors));
    clients.forEach(Client::next);

    Thread.sleep(warmupSeconds * 1000L);
    long startCycles = cycles.get();
    long startErrors = errors.get();
    long start = System.nanoTime();
    Thread.sleep(seconds * 1000L);
    long done = cycles.get() - startCycles;
    double elapsed = (System.nanoTime() - start) / 1e9;
    clients.forEach(Client::stop);
    System.out.printf("connections=%d window=%.1fs create+destroy=%d rate=%.0f/s errors=%d%n",
        connections, elapsed, done, done / elapsed, errors.get() - startErrors);
    System.exit(0);
  }

  /** One connection alternating create and destroy; each reply triggers the next request. */
  private static final class Client implements WebSocket.Listener {
    private final AtomicLong cycles;
    private final AtomicLong errors;
    private final WebSocket socket;
    private final StringBuilder partial = new StringBuilder();
    private volatile boolean running = true;
    private boolean creating = true;
    private int id;

    Client(HttpClient http, String url, AtomicLong cycles, AtomicLong errors) throws Exception {
      this.cycles = cycles;
      this.errors = errors;
      this.socket = http.newWebSocketBuilder().buildAsync(URI.create(url), this).get(10, TimeUnit.SECONDS);
    }

    void next() {
      if (!running) return;
      String method = creating ? "session.create" : "session.destroy";
      socket.sendText("{\"id\":" + (++id) + ",\"method\":\"" + method + "\"}", true);
    }

    void stop() {
      running = false;
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      partial.append(data);
      ws.request(1);
      if (!last) return null;
      String text = partial.toString();
      partial.setLength(0);
      if (text.startsWith("{\"event\"")) return null;
      try {
        JsonNode reply = JSON.readTree(text);
        if (reply.has("error")) {
          errors.incrementAndGet();
          creating = !reply.get("error").get("code").asText().equals("SESSION_ALREADY_BOUND");
        } else {
          if (!creating) cycles.incrementAndGet();
          creating = !creating;
        }
      } catch (Exception e) {
        errors.incrementAndGet();
      }
      next();
      return null;
    }
  }

  private SessionChurn() {}
}
