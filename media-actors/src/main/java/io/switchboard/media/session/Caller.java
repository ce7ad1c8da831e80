package io.switchboard.media.session;

import io.switchboard.media.cluster.CborSerializable;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Who sends a command to a session: a control connection (its event inbox) or a plain HTTP API call,
 * and the application its API key is limited to ({@code null}: the key may act on every application,
 * or no keys are configured).
 */
public record Caller(ActorRef<SessionEvent> connection, String keyApp) implements CborSerializable {

  public static Caller connection(ActorRef<SessionEvent> connection, String keyApp) {
    return new Caller(connection, keyApp);
  }

  public static Caller api(String keyApp) {
    return new Caller(null, keyApp);
  }

  /** Whether this caller's key covers sessions of {@code app}. */
  public boolean mayAccess(String app) {
    return keyApp == null || keyApp.equals(app);
  }
}
