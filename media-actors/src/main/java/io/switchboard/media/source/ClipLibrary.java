package io.switchboard.media.source;

import com.typesafe.config.Config;
import io.prometheus.metrics.core.metrics.Counter;
import io.switchboard.media.metrics.SwitchboardMetrics;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * Where playback gets its audio: files inside {@code switchboard.media.dir} and HTTP(S) URLs, read and
 * decoded on a small pool of its own (never on the media thread or in an actor).
 *
 * <p>Two caches keep repeated plays cheap. Downloads: one fetch per URL serves every play that starts
 * within the request's {@code cache_ttl_secs} of it (concurrent requests wait for the same fetch).
 * Decoded clips: a {@code shared} play reuses the clip already decoded for its source, so hold music for
 * thousands of calls is decoded once; unused shared clips are forgotten after their TTL.
 */
public final class ClipLibrary implements Extension {

  /** A place to read audio from, checked: a file inside the media directory or an http(s) URL. */
  public record Source(Path file, URI url) {
    public String key() {
      return file != null ? "file:" + file : url.toString();
    }
  }

  private record Cached<T>(CompletableFuture<T> value, long expiresAtMillis) {}

  private final Path dir;
  private final long maxFileBytes;
  private final long cacheBytes;
  /** Reading local files and decoding: short, CPU-bound work. */
  private final ExecutorService pool;
  /** Reading download bodies, which may wait on a slow server: never in the way of the others. */
  private final ExecutorService downloadPool;
  private final HttpClient http;
  private final Map<String, Cached<byte[]>> downloads = new ConcurrentHashMap<>();
  private final Map<String, Cached<Clip>> shared = new ConcurrentHashMap<>();
  private final Counter decodes;
  private final Counter downloadCount;

  private ClipLibrary(ActorSystem<?> system) {
    Config c = system.settings().config().getConfig("switchboard.media");
    this.dir = Path.of(c.getString("dir")).toAbsolutePath().normalize();
    this.maxFileBytes = c.getBytes("max-file-size");
    this.cacheBytes = c.getBytes("cache-size");
    this.pool = Executors.newFixedThreadPool(2, daemon("switchboard-clips-"));
    this.downloadPool = Executors.newCachedThreadPool(daemon("switchboard-downloads-"));
    this.http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build();
    this.decodes = SwitchboardMetrics.get(system).playbackDecodes;
    this.downloadCount = SwitchboardMetrics.get(system).playbackDownloads;
    system.getWhenTerminated().thenRun(() -> {
      pool.shutdownNow();
      downloadPool.shutdownNow();
    });
  }

  private static java.util.concurrent.ThreadFactory daemon(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  public static final ExtensionId<ClipLibrary> ID = new ExtensionId<>() {
    @Override
    public ClipLibrary createExtension(ActorSystem<?> system) {
      return new ClipLibrary(system);
    }
  };

  public static ClipLibrary get(ActorSystem<?> system) {
    return system.registerExtension(ID);
  }

  /**
   * Checks a client's {@code source}: an http(s) URL, or a path that stays inside the media directory
   * after resolving {@code ..} and symbolic links, naming a readable regular file.
   *
   * @throws IllegalArgumentException with a message for the client otherwise
   */
  public Source resolve(String source) {
    if (source == null || source.isBlank()) throw new IllegalArgumentException("\"source\" must name a file or a URL");
    String lower = source.toLowerCase(java.util.Locale.ROOT);
    if (lower.startsWith("http://") || lower.startsWith("https://")) {
      try {
        URI url = URI.create(source);
        if (url.getHost() == null) throw new IllegalArgumentException("\"source\" is not a usable URL: " + source);
        return new Source(null, url);
      } catch (IllegalArgumentException bad) {
        throw new IllegalArgumentException("\"source\" is not a usable URL: " + source);
      }
    }
    if (lower.matches("^[a-z][a-z0-9+.-]*://.*")) {
      throw new IllegalArgumentException("\"source\" must be a file or an http(s) URL, not " + source);
    }
    try {
      Path root = dir.toRealPath();
      Path target = root.resolve(source).normalize();
      if (!target.startsWith(root)) throw new IllegalArgumentException("\"source\" leaves the media directory: " + source);
      if (!Files.isRegularFile(target)) throw new IllegalArgumentException("\"source\" is not a file in the media directory: " + source);
      Path real = target.toRealPath();
      if (!real.startsWith(root)) throw new IllegalArgumentException("\"source\" leaves the media directory through a link: " + source);
      return new Source(real, null);
    } catch (IOException e) {
      throw new IllegalArgumentException("\"source\" cannot be read: " + source + " (" + e.getMessage() + ")");
    }
  }

  /**
   * The decoded clip of {@code source}: from the shared cache when {@code shareDecoded}, else decoded for
   * this play (its download may still come from the download cache).
   */
  public CompletableFuture<Clip> load(Source source, boolean shareDecoded, Duration cacheTtl, Duration timeout) {
    if (!shareDecoded) return bytes(source, cacheTtl, timeout).thenApplyAsync(this::decode, pool);
    long now = System.currentTimeMillis();
    shared.values().removeIf(c -> c.expiresAtMillis() < now && c.value().isDone());
    long keep = now + Math.max(cacheTtl.toMillis(), 60_000);
    Cached<Clip> entry = shared.compute(source.key(), (k, old) -> old != null && !old.value().isCompletedExceptionally()
        ? new Cached<>(old.value(), Math.max(keep, old.expiresAtMillis()))
        : new Cached<>(bytes(source, cacheTtl, timeout).thenApplyAsync(this::decode, pool), keep));
    entry.value().thenRun(this::trim);
    return entry.value();
  }

  /**
   * Keeps the caches within {@code switchboard.media.cache-size}: the entries that expire first go first.
   * Plays already under way keep their clip; only the cache forgets it.
   */
  private synchronized void trim() {
    long now = System.currentTimeMillis();
    downloads.values().removeIf(c -> c.expiresAtMillis() < now && c.value().isDone());
    shared.values().removeIf(c -> c.expiresAtMillis() < now && c.value().isDone());
    while (true) {
      long total = 0;
      Map.Entry<String, ? extends Cached<?>> first = null;
      Map<String, ? extends Cached<?>> firstMap = null;
      for (Map<String, ? extends Cached<?>> map : List.of(downloads, shared)) {
        for (Map.Entry<String, ? extends Cached<?>> e : map.entrySet()) {
          Object v = e.getValue().value().getNow(null);
          if (v == null) continue; // still loading, or failed
          total += v instanceof byte[] bytes ? bytes.length : 2L * ((Clip) v).samples().length;
          if (first == null || e.getValue().expiresAtMillis() < first.getValue().expiresAtMillis()) {
            first = e;
            firstMap = map;
          }
        }
      }
      if (total <= cacheBytes || first == null) return;
      firstMap.remove(first.getKey());
    }
  }

  private CompletableFuture<byte[]> bytes(Source source, Duration cacheTtl, Duration timeout) {
    if (source.file() != null) return CompletableFuture.supplyAsync(() -> readFile(source.file()), pool);
    long now = System.currentTimeMillis();
    downloads.values().removeIf(c -> c.expiresAtMillis() < now && c.value().isDone());
    if (cacheTtl.isZero()) return download(source.url(), timeout);
    Cached<byte[]> entry = downloads.compute(source.key(), (k, old) ->
        old != null && old.expiresAtMillis() >= now && !old.value().isCompletedExceptionally()
            ? old : new Cached<>(download(source.url(), timeout), now + cacheTtl.toMillis()));
    entry.value().thenRun(this::trim);
    return entry.value();
  }

  /**
   * Fetches {@code url} within {@code timeout} in all (the request's own timeout covers only the wait
   * for the headers): when time is up the body is closed, which ends a read stuck on a slow server.
   */
  private CompletableFuture<byte[]> download(URI url, Duration timeout) {
    downloadCount.inc();
    HttpRequest request = HttpRequest.newBuilder(url).timeout(timeout).GET().build();
    java.util.concurrent.atomic.AtomicReference<InputStream> open = new java.util.concurrent.atomic.AtomicReference<>();
    CompletableFuture<byte[]> result = http.sendAsync(request, HttpResponse.BodyHandlers.ofInputStream()).thenApplyAsync(response -> {
      try (InputStream body = response.body()) {
        open.set(body);
        if (response.statusCode() != 200) throw new SourceException("download of " + url + " answered " + response.statusCode());
        return limited(body, url.toString());
      } catch (IOException e) {
        throw new SourceException("download of " + url + " failed: " + e.getMessage());
      }
    }, downloadPool).orTimeout(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    result.whenComplete((data, failure) -> {
      InputStream body = open.get();
      if (failure != null && body != null) {
        try {
          body.close();
        } catch (IOException ignored) {
          // closing is how the stuck read is ended; nothing else to do
        }
      }
    });
    return result;
  }

  private byte[] limited(InputStream in, String what) throws IOException {
    byte[] data = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxFileBytes + 1));
    if (data.length > maxFileBytes) throw new SourceException(what + " is larger than " + maxFileBytes + " bytes");
    return data;
  }

  private byte[] readFile(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return limited(in, file.getFileName().toString());
    } catch (IOException e) {
      throw new SourceException("cannot read " + file.getFileName() + ": " + e.getMessage());
    }
  }

  private Clip decode(byte[] data) {
    decodes.inc();
    try {
      return AudioDecoder.decode(data);
    } catch (IOException e) {
      throw new SourceException(e.getMessage());
    }
  }

  /** Why a source could not be played, in words for the client. */
  public static final class SourceException extends RuntimeException {
    SourceException(String message) {
      super(message, null, false, false);
    }
  }
}
