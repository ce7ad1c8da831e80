package io.switchboard.media.session;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * {@code switchboard.session.*}, parsed once. Zero durations switch the idle and empty timeouts off.
 *
 * @param eventBuffer events kept per session for replay on {@code session.attach {last_seq}}
 * @param httpResponseTimeout how long an access-URL request waits for {@code http.respond}
 */
public record SessionSettings(
    Duration disconnectTimeout,
    Duration idleTimeout,
    Duration emptyTimeout,
    int maxSessions,
    int eventBuffer,
    Duration httpResponseTimeout,
    int maxPendingHttpRequests) {

  public static SessionSettings fromConfig(Config root) {
    Config c = root.getConfig("switchboard.session");
    return new SessionSettings(
        c.getDuration("disconnect-timeout"),
        c.getDuration("idle-timeout"),
        c.getDuration("empty-timeout"),
        c.getInt("max-sessions"),
        c.getInt("event-buffer"),
        c.getDuration("http-response-timeout"),
        c.getInt("max-pending-http-requests"));
  }
}
