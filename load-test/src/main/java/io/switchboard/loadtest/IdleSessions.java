package io.switchboard.loadtest;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Creates {@code count} sessions over {@code POST /api/v1/sessions} and leaves them idle, for measuring
 * heap per idle session (see load-test/bench-sessions.sh).
 *
 * <p>Usage: {@code java -cp load-test/target/load-test.jar io.switchboard.loadtest.IdleSessions
 * http://127.0.0.1:8080 10000}
 */
public final class IdleSessions {

  public static void main(String[] args) throws Exception {
    String base = args.length > 0 ? args[0] : "http://127.0.0.1:8080";
    int count = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
    HttpClient http = HttpClient.newHttpClient();
    AtomicInteger failed = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(16);
    long start = System.nanoTime();
    for (int i = 0; i < count; i++) {
      pool.execute(() -> {
        try {
          HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/sessions"))
              .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
          if (r.statusCode() != 200) failed.incrementAndGet();
        } catch (Exception e) {
          failed.incrementAndGet();
        }
      });
    }
    pool.shutdown();
    pool.awaitTermination(10, TimeUnit.MINUTES);
    System.out.printf("created=%d failed=%d in %.1fs%n", count - failed.get(), failed.get(), (System.nanoTime() - start) / 1e9);
  }

  private IdleSessions() {}
}
