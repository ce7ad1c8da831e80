package io.switchboard.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** One control connection of a load tool: requests one at a time, events ignored. */
final class ControlConnection implements WebSocket.Listener {

  static final ObjectMapper JSON = new ObjectMapper();

  private final LinkedBlockingQueue<JsonNode> replies = new LinkedBlockingQueue<>();
  private final StringBuilder partial = new StringBuilder();
  private final WebSocket ws;
  private int id;

  ControlConnection(HttpClient http, String url) throws Exception {
    ws = http.newWebSocketBuilder().buildAsync(URI.create(url), this).get(10, TimeUnit.SECONDS);
  }

  JsonNode call(String method, String params) throws Exception {
    ws.sendText("{\"id\":" + (++id) + ",\"method\":\"" + method + "\",\"params\":" + params + "}", true).join();
    JsonNode reply = replies.poll(10, TimeUnit.SECONDS);
    if (reply == null || !reply.has("result")) throw new IllegalStateException(method + " failed: " + reply);
    return reply.get("result");
  }

  @Override
  public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
    partial.append(data);
    w.request(1);
    if (last) {
      String text = partial.toString();
      partial.setLength(0);
      try {
        JsonNode frame = JSON.readTree(text);
        if (frame.has("id")) replies.add(frame);
      } catch (Exception ignored) {
        // not for us
      }
    }
    return null;
  }

  void close() {
    ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").orTimeout(5, TimeUnit.SECONDS).exceptionally(e -> null).join();
  }
}
