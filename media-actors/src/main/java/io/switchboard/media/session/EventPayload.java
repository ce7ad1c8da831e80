package io.switchboard.media.session;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import io.switchboard.media.cluster.CborSerializable;
import java.util.List;
import java.util.Map;

/**
 * The data of one session event. Each record's fields are the event's {@code data} object on the wire
 * (snake_case), {@link #eventName()} its {@code event} name; docs/protocol.md lists them all.
 * Critical events (state changes, timeouts, termination) bypass the bounded normal lane to a slow client.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = EventPayload.AppStarted.class, name = "app.started"),
  @JsonSubTypes.Type(value = EventPayload.AppHttpRequest.class, name = "app.http_request"),
  @JsonSubTypes.Type(value = EventPayload.AppTerminating.class, name = "app.terminating"),
  @JsonSubTypes.Type(value = EventPayload.AppTerminated.class, name = "app.terminated"),
  @JsonSubTypes.Type(value = EventPayload.SessionOrphaned.class, name = "session.orphaned"),
  @JsonSubTypes.Type(value = EventPayload.SessionIdleTimeout.class, name = "session.idle_timeout"),
  @JsonSubTypes.Type(value = EventPayload.SessionEmptyTimeout.class, name = "session.empty_timeout"),
  @JsonSubTypes.Type(value = EventPayload.EndpointStateChanged.class, name = "endpoint.state_changed"),
  @JsonSubTypes.Type(value = EventPayload.Dtmf.class, name = "dtmf"),
  @JsonSubTypes.Type(value = EventPayload.EndpointRtcpBye.class, name = "endpoint.rtcp_bye"),
  @JsonSubTypes.Type(value = EventPayload.EndpointMediaTimeout.class, name = "endpoint.media_timeout"),
  @JsonSubTypes.Type(value = EventPayload.Stats.class, name = "stats"),
  @JsonSubTypes.Type(value = EventPayload.EndpointToneFinished.class, name = "endpoint.tone.finished"),
  @JsonSubTypes.Type(value = EventPayload.EndpointFileFinished.class, name = "endpoint.file.finished"),
  @JsonSubTypes.Type(value = EventPayload.VadSpeechStarted.class, name = "vad.speech_started"),
  @JsonSubTypes.Type(value = EventPayload.VadSilence.class, name = "vad.silence"),
  @JsonSubTypes.Type(value = EventPayload.RecordingStoppedEvent.class, name = "recording.stopped"),
  @JsonSubTypes.Type(value = EventPayload.EndpointTransferredOut.class, name = "endpoint.transferred_out"),
  @JsonSubTypes.Type(value = EventPayload.EndpointTransferredIn.class, name = "endpoint.transferred_in"),
})
public sealed interface EventPayload extends CborSerializable {

  @JsonIgnore
  String eventName();

  @JsonIgnore
  default boolean critical() {
    return false;
  }

  /** Seed 000 Started: the first event of every session. */
  record AppStarted(String sessionId, String app, JsonNode customData) implements EventPayload {
    public AppStarted {
      customData = customData == null ? NullNode.getInstance() : customData;
    }

    public String eventName() { return "app.started"; }
  }

  /** Seed 000/001 HttpRequest: a request reached the session's media_session_access_url. */
  record AppHttpRequest(String requestId, String method, String path, Map<String, String> headers, String content)
      implements EventPayload {
    public AppHttpRequest {
      headers = Map.copyOf(headers);
    }

    public String eventName() { return "app.http_request"; }
  }

  /** Seed 000 Terminating: the session is about to end. */
  record AppTerminating(String sessionId, String reason) implements EventPayload {
    public String eventName() { return "app.terminating"; }

    public boolean critical() { return true; }
  }

  /** Seed 000 Terminated: the session has ended; nothing follows. */
  record AppTerminated(String sessionId, String reason) implements EventPayload {
    public String eventName() { return "app.terminated"; }

    public boolean critical() { return true; }
  }

  /** The controlling connection dropped; the session waits this long for {@code session.attach}. */
  record SessionOrphaned(long timeoutRemainingMs) implements EventPayload {
    public String eventName() { return "session.orphaned"; }
  }

  record SessionIdleTimeout(String sessionId, long idleTimeoutSecs) implements EventPayload {
    public String eventName() { return "session.idle_timeout"; }

    public boolean critical() { return true; }
  }

  record SessionEmptyTimeout(String sessionId, long emptyTimeoutSecs) implements EventPayload {
    public String eventName() { return "session.empty_timeout"; }

    public boolean critical() { return true; }
  }

  /** States: new → connected (RTP peers); playing → finished (tones); buffering → playing ⇄ paused → finished (files). */
  record EndpointStateChanged(String endpointId, String oldState, String newState) implements EventPayload {
    public String eventName() { return "endpoint.state_changed"; }

    public boolean critical() { return true; }
  }

  /** A completed RFC 4733 digit from the endpoint's peer, reported once however many end packets came. */
  record Dtmf(String endpointId, String digit, int durationMs) implements EventPayload {
    public String eventName() { return "dtmf"; }
  }

  /** @param reason null when the BYE carried none */
  record EndpointRtcpBye(String endpointId, List<Long> ssrcList, String reason) implements EventPayload {
    public EndpointRtcpBye {
      ssrcList = List.copyOf(ssrcList);
    }

    public String eventName() { return "endpoint.rtcp_bye"; }
  }

  /** No packet from the peer for {@code durationMs}; raised once per period of silence. */
  record EndpointMediaTimeout(String endpointId, long durationMs) implements EventPayload {
    public String eventName() { return "endpoint.media_timeout"; }
  }

  /** A tone endpoint's duration ended (or its generator failed); the endpoint stays, silent, until removed. */
  record EndpointToneFinished(String endpointId) implements EventPayload {
    public String eventName() { return "endpoint.tone.finished"; }
  }

  /** A recording ended without recording.stop; {@code reason}: endpoint_removed, endpoint_transferred, session_ended, disk_error, node_shutdown. */
  record RecordingStoppedEvent(String recordingId, String filePath, long durationMs, long packets, long droppedPackets,
                               String reason) implements EventPayload {
    public String eventName() { return "recording.stopped"; }

    public boolean critical() { return true; }
  }

  /** @param reason {@code completed} or {@code error}; {@code error} says what went wrong, null otherwise */
  record EndpointFileFinished(String endpointId, String reason, String error) implements EventPayload {
    public String eventName() { return "endpoint.file.finished"; }
  }

  /** Voice activity detection: the endpoint's peer started speaking after silence. */
  record VadSpeechStarted(String endpointId) implements EventPayload {
    public String eventName() { return "vad.speech_started"; }
  }

  /** Voice activity detection: the peer has been silent for {@code silenceDurationMs}; once per silence interval. */
  record VadSilence(String endpointId, long silenceDurationMs) implements EventPayload {
    public String eventName() { return "vad.silence"; }
  }

  /** Periodic statistics after {@code stats.subscribe}. */
  record Stats(String sessionId, List<EndpointStats> endpoints) implements EventPayload {
    public Stats {
      endpoints = List.copyOf(endpoints);
    }

    public String eventName() { return "stats"; }
  }

  record EndpointTransferredOut(String endpointId, String targetSessionId) implements EventPayload {
    public String eventName() { return "endpoint.transferred_out"; }

    public boolean critical() { return true; }
  }

  record EndpointTransferredIn(String endpointId, String sourceSessionId, String endpointType, String direction, String state)
      implements EventPayload {
    public String eventName() { return "endpoint.transferred_in"; }

    public boolean critical() { return true; }
  }
}
