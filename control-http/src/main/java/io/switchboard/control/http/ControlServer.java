package io.switchboard.control.http;

import io.switchboard.control.gateway.SessionGateway;
import io.switchboard.control.ws.AccessUrls;
import io.switchboard.control.ws.ControlWebSocket;
import io.switchboard.media.session.SessionDirectory;
import java.io.FileInputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.ConnectionContext;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.pattern.Patterns;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the gateway role of a node: checks the security settings, binds HTTP (and HTTPS when
 * configured), and on shutdown drains: new sessions are refused at once, existing ones get
 * {@code switchboard.shutdown.drain-time} to finish before the server unbinds and sharding stops them.
 */
public final class ControlServer {

  private static final Logger LOG = LoggerFactory.getLogger(ControlServer.class);

  /** The bound addresses of a started gateway. */
  public record Bindings(ServerBinding http, ServerBinding https) {
    public int httpPort() {
      return http.localAddress().getPort();
    }
  }

  private ControlServer() {}

  public static CompletionStage<Bindings> start(ActorSystem<?> system, ControlSettings settings) {
    refuseInsecureExposure(settings);
    SessionGateway gateway = new SessionGateway(system, settings.askTimeout(), settings.httpResponseTimeout());
    AccessUrls urls = new AccessUrls(settings.publicUrl(), settings.tls().enabled() ? settings.tls().publicUrl() : null);
    ControlWebSocket control = new ControlWebSocket(system, gateway, urls,
        settings.maxMessageSize(), settings.criticalQueue(), settings.eventQueue());
    AtomicBoolean bound = new AtomicBoolean();
    Route routes = new HttpApi(system, gateway, control, new ApiKeys(settings.apiKeys()), urls, settings, bound::get).routes();
    Http http = Http.get(system);

    CompletionStage<ServerBinding> plain = http.newServerAt(settings.host(), settings.port()).bind(routes);
    return plain.thenCompose(httpBinding -> {
      CompletionStage<ServerBinding> tls = settings.tls().enabled()
          ? http.newServerAt(settings.host(), settings.tls().port())
              .enableHttps(ConnectionContext.httpsServer(sslContext(settings.tls())))
              .bind(routes)
          : CompletableFuture.completedFuture(null);
      return tls.thenApply(httpsBinding -> {
        urls.bound(settings.host(), httpBinding.localAddress().getPort(),
            httpsBinding == null ? 0 : httpsBinding.localAddress().getPort());
        bound.set(true);
        registerDrain(system, settings.drainTime(), httpBinding, httpsBinding);
        LOG.info("Switchboard gateway listening on http://{}:{}{}", settings.host(), httpBinding.localAddress().getPort(),
            httpsBinding == null ? "" : " and https://" + settings.host() + ":" + httpsBinding.localAddress().getPort());
        return new Bindings(httpBinding, httpsBinding);
      });
    });
  }

  /** Refuses a non-loopback bind without API keys unless allow-insecure is set; warns when it is. */
  public static void refuseInsecureExposure(ControlSettings settings) {
    if (settings.apiKeys().isEmpty() && !isLoopback(settings.host())) {
      if (!settings.allowInsecure()) {
        throw new IllegalStateException("refusing to serve the control API on " + settings.host()
            + " without an API key: configure switchboard.security.api-keys (or api-key), bind to loopback,"
            + " or set switchboard.security.allow-insecure = true");
      }
      LOG.warn("SECURITY: the control API on {} accepts anyone (no API key, allow-insecure = true)", settings.host());
    }
  }

  private static boolean isLoopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private static SSLContext sslContext(ControlSettings.Tls tls) {
    try (InputStream in = new FileInputStream(tls.keystorePath())) {
      char[] password = tls.keystorePassword().toCharArray();
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(in, password);
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(store, password);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(kmf.getKeyManagers(), null, null);
      return context;
    } catch (Exception e) {
      throw new IllegalStateException("cannot load the TLS key store " + tls.keystorePath() + ": " + e.getMessage(), e);
    }
  }

  private static void registerDrain(ActorSystem<?> system, Duration drainTime, ServerBinding http, ServerBinding https) {
    CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
    SessionDirectory directory = SessionDirectory.get(system);
    shutdown.addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "switchboard-drain", () -> {
      directory.startDraining();
      LOG.info("draining: no new sessions; waiting up to {} for {} sessions to end", drainTime, directory.size());
      return waitUntilEmpty(system, directory, System.nanoTime() + drainTime.toNanos());
    });
    shutdown.addTask(CoordinatedShutdown.PhaseServiceUnbind(), "switchboard-unbind", () -> {
      CompletionStage<Done> a = http.unbind();
      return https == null ? a : a.thenCompose(d -> https.unbind());
    });
  }

  private static CompletionStage<Done> waitUntilEmpty(ActorSystem<?> system, SessionDirectory directory, long deadline) {
    if (directory.size() == 0 || System.nanoTime() >= deadline) return CompletableFuture.completedFuture(Done.getInstance());
    return Patterns.after(Duration.ofMillis(100), system.classicSystem().scheduler(), system.executionContext(),
        () -> waitUntilEmpty(system, directory, deadline));
  }
}
