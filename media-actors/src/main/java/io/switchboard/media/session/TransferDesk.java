package io.switchboard.media.session;

import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * Hands endpoints between two sessions of the same node. An endpoint's sockets cannot travel in a
 * message, so the source session leaves the endpoint here under a token and sends the token; whichever
 * of the two sessions takes it out first owns it (the target on success, the source to restore it on
 * failure), so an endpoint is never owned twice or lost.
 */
public final class TransferDesk implements Extension {

  private final ConcurrentHashMap<String, SessionMedia.Endpoint> waiting = new ConcurrentHashMap<>();

  public static final ExtensionId<TransferDesk> ID = new ExtensionId<>() {
    @Override
    public TransferDesk createExtension(ActorSystem<?> system) {
      return new TransferDesk();
    }
  };

  public static TransferDesk get(ActorSystem<?> system) {
    return system.registerExtension(ID);
  }

  String leave(SessionMedia.Endpoint endpoint) {
    String token = UUID.randomUUID().toString();
    waiting.put(token, endpoint);
    return token;
  }

  /** Puts an endpoint back under its token (the target refused it), for the source to take. */
  void putBack(String token, SessionMedia.Endpoint endpoint) {
    waiting.put(token, endpoint);
  }

  /** The endpoint left under {@code token}, once; null when it was taken already or is on another node. */
  SessionMedia.Endpoint take(String token) {
    return waiting.remove(token);
  }
}
