package io.switchboard.media.session;

import io.switchboard.media.cluster.ErrorCode;
import io.switchboard.media.recording.Recorder;
import io.switchboard.media.recording.Recording;
import io.switchboard.media.session.SessionMedia.Refused;
import io.switchboard.media.transport.MediaPort;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The recordings of one session: which endpoints each one hears, and keeping that true as endpoints
 * come, go and move. Owned by the session actor with its {@link SessionMedia}; the node's
 * {@link Recorder} does the writing.
 */
final class SessionRecordings {

  private final Recorder recorder;
  private final Map<String, Recording> active = new LinkedHashMap<>();

  SessionRecordings(Recorder recorder) {
    this.recorder = recorder;
  }

  /**
   * Starts recording one endpoint ({@code leg} not null) or the whole session ({@code live}: every
   * endpoint with media now; those that come later join).
   */
  Recording start(String endpointId, MediaPort leg, Map<String, MediaPort> live, String filePath, String format,
                  boolean stereo) throws Refused {
    int max = recorder.settings().maxPerSession();
    if (active.size() >= max) throw new Refused(ErrorCode.ENDPOINT_ERROR, "session runs its maximum of " + max + " recordings");
    Recording.Format f = switch (format) {
      case "pcap" -> Recording.Format.PCAP;
      case "wav" -> Recording.Format.WAV;
      default -> throw new Refused(ErrorCode.INVALID_PARAMS, "\"format\" must be pcap or wav, not " + format);
    };
    if (stereo && (f != Recording.Format.WAV || endpointId == null)) {
      throw new Refused(ErrorCode.INVALID_PARAMS, "\"stereo\" needs format wav and an endpoint_id (inbound left, outbound right)");
    }
    Recording recording;
    try {
      recording = recorder.start(UUID.randomUUID().toString(), endpointId, filePath, f, stereo);
    } catch (IllegalArgumentException bad) {
      throw new Refused(ErrorCode.INVALID_PARAMS, bad.getMessage());
    } catch (IOException e) {
      throw new Refused(ErrorCode.INTERNAL_ERROR, "cannot create " + filePath + ": " + e.getMessage());
    }
    if (leg != null) tap(recording, endpointId, leg);
    else live.forEach((id, port) -> tap(recording, id, port));
    active.put(recording.id(), recording);
    return recording;
  }

  /** Ends a recording by command; its {@link Recording#ended()} completes once the file is final. */
  Recording stop(String recordingId, Iterable<MediaPort> ports) throws Refused {
    Recording recording = recordingId == null ? null : active.remove(recordingId);
    if (recording == null) throw new Refused(ErrorCode.INVALID_PARAMS, "no recording " + recordingId + " in this session");
    end(recording, ports, "stopped");
    return recording;
  }

  int size() {
    return active.size();
  }

  /** The recordings still running, by id. */
  java.util.Set<String> ids() {
    return java.util.Set.copyOf(active.keySet());
  }

  /** A recording ended on its own (a disk error): it no longer counts. */
  void ended(String recordingId) {
    active.remove(recordingId);
  }

  /** An endpoint's media started (or it joined by transfer): the session's recordings hear it too. */
  void endpointLive(String endpointId, MediaPort port) {
    for (Recording r : active.values()) if (r.endpointId() == null) tap(r, endpointId, port);
  }

  /** An endpoint left (removed or transferred away): its own recordings end, the session's stop hearing it. */
  void endpointGone(String endpointId, MediaPort port, String reason) {
    for (Recording r : new ArrayList<>(active.values())) {
      if (endpointId.equals(r.endpointId())) {
        active.remove(r.id());
        end(r, List.of(port), reason);
      } else if (port != null) {
        port.removeTaps(r);
      }
    }
  }

  void stopAll(Iterable<MediaPort> ports, String reason) {
    for (Recording r : active.values()) end(r, ports, reason);
    active.clear();
  }

  private void end(Recording recording, Iterable<MediaPort> ports, String reason) {
    for (MediaPort p : ports) if (p != null) p.removeTaps(recording);
    recorder.stop(recording, reason);
  }

  /** Bridge halves are tapped too: what crosses into this session arrives there, as PCM. */
  private static void tap(Recording recording, String endpointId, MediaPort port) {
    var tap = recording.tap(endpointId, port.localAddress(), port::remote, port.localRtcpAddress(), port::rtcpRemote, port.law(),
        port.codec() == null ? -1 : port.codec().payloadType());
    if (tap != null) port.addTap(tap);
  }
}
