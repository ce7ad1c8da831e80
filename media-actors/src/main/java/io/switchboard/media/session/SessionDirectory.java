package io.switchboard.media.session;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * This node's sessions: the admission check for {@code max-sessions}, the draining flag set on
 * shutdown, and the node's share of {@code session.list}. {@link CallSession} entities register and
 * update themselves; {@link SessionListing} answers other nodes.
 */
public final class SessionDirectory implements Extension {

  private final ConcurrentHashMap<String, SessionSummary> sessions = new ConcurrentHashMap<>();
  private final AtomicInteger admitted = new AtomicInteger();
  private final AtomicBoolean draining = new AtomicBoolean();

  private final String nodeAddress;

  private SessionDirectory(String nodeAddress) {
    this.nodeAddress = nodeAddress;
  }

  public static final ExtensionId<SessionDirectory> ID = new ExtensionId<>() {
    @Override
    public SessionDirectory createExtension(ActorSystem<?> system) {
      return new SessionDirectory(Cluster.get(system).selfMember().address().toString());
    }
  };

  public static SessionDirectory get(ActorSystem<?> system) {
    return system.registerExtension(ID);
  }

  /** Admit a new session unless the node already holds {@code maxSessions}. */
  boolean tryAdmit(SessionSummary summary, int maxSessions) {
    if (admitted.incrementAndGet() > maxSessions) {
      admitted.decrementAndGet();
      return false;
    }
    sessions.put(summary.sessionId(), summary);
    return true;
  }

  void update(SessionSummary summary) {
    sessions.replace(summary.sessionId(), summary);
  }

  void remove(String sessionId) {
    if (sessions.remove(sessionId) != null) admitted.decrementAndGet();
  }

  /** The Pekko address of this node, as shown in session summaries. */
  public String nodeAddress() {
    return nodeAddress;
  }

  public int size() {
    return sessions.size();
  }

  public List<SessionSummary> snapshot() {
    return List.copyOf(sessions.values());
  }

  public boolean draining() {
    return draining.get();
  }

  public void startDraining() {
    draining.set(true);
  }
}
