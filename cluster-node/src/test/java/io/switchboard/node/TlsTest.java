package io.switchboard.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.FileInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With TLS configured, the API, the access URLs and the control WebSocket are served over HTTPS too. */
class TlsTest {

  @TempDir
  Path dir;

  @Test
  void httpsApiSecureAccessUrlAndWssControl() throws Exception {
    Path keystore = dir.resolve("node.p12");
    Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-alias", "switchboard", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
        "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-storetype", "PKCS12",
        "-keystore", keystore.toString(), "-storepass", "changeit", "-keypass", "changeit")
        .inheritIO().start();
    assertTrue(keytool.waitFor(60, TimeUnit.SECONDS) && keytool.exitValue() == 0, "keytool made a key store");
    assertTrue(Files.size(keystore) > 0);

    TestNode node = TestNode.start("""
        switchboard.http.tls.enabled = true
        switchboard.http.tls.port = 0
        switchboard.http.tls.keystore-path = "%s"
        switchboard.http.tls.keystore-password = changeit
        """.formatted(keystore.toString().replace("\\", "/")));
    try {
      int httpsPort = node.bindings.https().localAddress().getPort();
      HttpClient client = HttpClient.newBuilder().sslContext(trusting(keystore)).build();

      HttpResponse<String> created = client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + httpsPort + "/api/v1/sessions"))
          .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, created.statusCode());
      JsonNode body = ControlClient.JSON.readTree(created.body());
      String secure = body.get("media_session_access_secure_url").asText();
      assertTrue(secure.startsWith("https://127.0.0.1:" + httpsPort + "/request/"), secure);
      assertTrue(body.get("media_session_access_url").asText().startsWith(node.http()));

      HttpResponse<String> access = client.send(HttpRequest.newBuilder(URI.create(secure))
          .POST(HttpRequest.BodyPublishers.ofString("over tls")).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(202, access.statusCode());

      CompletableFuture<String> firstFrame = new CompletableFuture<>();
      WebSocket ws = client.newWebSocketBuilder().buildAsync(URI.create("wss://127.0.0.1:" + httpsPort + "/control"),
          new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
              firstFrame.complete(data.toString());
              return null;
            }
          }).get(10, TimeUnit.SECONDS);
      ws.sendText("{\"id\":1,\"method\":\"session.list\"}", true);
      assertTrue(firstFrame.get(10, TimeUnit.SECONDS).contains("\"sessions\""));
      ws.abort();
    } finally {
      node.close();
    }
  }

  private static SSLContext trusting(Path keystore) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (var in = new FileInputStream(keystore.toFile())) {
      store.load(in, "changeit".toCharArray());
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(store);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, tmf.getTrustManagers(), null);
    return context;
  }
}
