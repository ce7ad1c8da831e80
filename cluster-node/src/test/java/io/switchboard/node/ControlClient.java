package io.switchboard.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A control-protocol client over the JDK's WebSocket, as a user's program would be: it sends JSON text,
 * and sorts what comes back into replies (by id) and events, in arrival order.
 */
final class ControlClient implements AutoCloseable {

  static final ObjectMapper JSON = new ObjectMapper();

  final WebSocket socket;
  final BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
  final List<JsonNode> events = new ArrayList<>();
  private final AtomicInteger ids = new AtomicInteger();
  private final StringBuilder partial = new StringBuilder();
  volatile boolean autoRead = true;
  volatile int closeStatus = -1;

  private ControlClient(String url, Map<String, String> headers) {
    WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
    headers.forEach(builder::header);
    this.socket = builder.buildAsync(URI.create(url), new WebSocket.Listener() {
      @Override
      public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
          try {
            frames.add(JSON.readTree(partial.toString()));
          } catch (Exception e) {
            frames.add(JSON.createObjectNode().put("unparseable", partial.toString()));
          }
          partial.setLength(0);
        }
        if (autoRead) ws.request(1);
        return null;
      }

      @Override
      public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
        closeStatus = statusCode;
        return null;
      }
    }).join();
  }

  static ControlClient connect(String url) {
    return new ControlClient(url, Map.of());
  }

  static ControlClient connect(String url, Map<String, String> headers) {
    return new ControlClient(url, headers);
  }

  void sendRaw(String text) {
    socket.sendText(text, true).join();
  }

  /** Sends a request and returns its reply (the whole frame); events that arrive meanwhile are kept. */
  JsonNode call(String method, Object params) {
    int id = ids.incrementAndGet();
    ObjectNode req = JSON.createObjectNode().put("id", id).put("method", method);
    if (params != null) req.set("params", JSON.valueToTree(params));
    sendRaw(req.toString());
    return awaitReply(JSON.getNodeFactory().numberNode(id));
  }

  JsonNode awaitReply(JsonNode id) {
    while (true) {
      JsonNode frame = next(10);
      if (frame.has("event")) {
        events.add(frame);
      } else if (frame.get("id").equals(id)) {
        return frame;
      } else {
        throw new AssertionError("reply for another request: " + frame);
      }
    }
  }

  /** The result of a successful call; fails the test with the error otherwise. */
  JsonNode ok(String method, Object params) {
    JsonNode reply = call(method, params);
    if (!reply.has("result")) throw new AssertionError(method + " failed: " + reply);
    return reply.get("result");
  }

  /** The error code of a call that must fail. */
  String errorCode(String method, Object params) {
    JsonNode reply = call(method, params);
    if (!reply.has("error")) throw new AssertionError(method + " should have failed: " + reply);
    return reply.get("error").get("code").asText();
  }

  /** The next event named {@code name}, skipping none: events before it are returned in order by {@link #events}. */
  JsonNode awaitEvent(String name) {
    for (int i = 0; i < events.size(); i++) {
      if (events.get(i).get("event").asText().equals(name)) return events.remove(i);
    }
    while (true) {
      JsonNode frame = next(10);
      if (!frame.has("event")) throw new AssertionError("unexpected reply " + frame);
      if (frame.get("event").asText().equals(name)) return frame;
      events.add(frame);
    }
  }

  JsonNode next(int seconds) {
    try {
      JsonNode frame = frames.poll(seconds, TimeUnit.SECONDS);
      if (frame == null) throw new AssertionError("nothing received within " + seconds + "s");
      return frame;
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  /** True when nothing arrives within {@code ms}. */
  boolean quietFor(long ms) {
    JsonNode frame;
    try {
      frame = frames.poll(ms, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
    if (frame != null) events.add(frame);
    return frame == null;
  }

  @Override
  public void close() {
    try {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
    } catch (Exception ignored) {
      socket.abort();
    }
  }
}
