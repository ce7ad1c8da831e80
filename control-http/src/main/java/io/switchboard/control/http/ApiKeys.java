package io.switchboard.control.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;

/**
 * The configured API keys. With none configured every caller is admitted unrestricted (only allowed on
 * loopback, see {@link ControlServer}); otherwise a caller must present one, and a key may be limited
 * to one application.
 */
public final class ApiKeys {

  /** @param app the one application this key may act on, or null for all */
  public record Key(String key, String app) {}

  /** An admitted caller; {@code app} null means unrestricted. */
  public record Grant(String app) {}

  private final List<Key> keys;

  public ApiKeys(List<Key> keys) {
    this.keys = List.copyOf(keys);
  }

  public boolean enabled() {
    return !keys.isEmpty();
  }

  /** The grant for a presented token, or empty when keys are configured and the token matches none. */
  public Optional<Grant> authenticate(Optional<String> token) {
    if (keys.isEmpty()) return Optional.of(new Grant(null));
    if (token.isEmpty()) return Optional.empty();
    byte[] presented = token.get().getBytes(StandardCharsets.UTF_8);
    Key match = null;
    for (Key k : keys) {
      // compare against every key in constant time so timing reveals neither key nor position
      if (MessageDigest.isEqual(k.key().getBytes(StandardCharsets.UTF_8), presented) && match == null) match = k;
    }
    return Optional.ofNullable(match).map(k -> new Grant(k.app()));
  }
}
