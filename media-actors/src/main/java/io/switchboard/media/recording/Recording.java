package io.switchboard.media.recording;

import io.switchboard.media.codec.G711;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One recording: its file, its ring from the media thread, the legs (endpoints) it hears, and the future
 * that completes when the file is final. Created and ended through {@link Recorder}.
 */
public final class Recording {

  public enum Format { PCAP, WAV }

  /** Distinct endpoints one recording can hear (the leg index is two bytes in the ring). */
  static final int MAX_LEGS = 0xffff;

  /** An endpoint as a recording knows it: where its packets go from and to, and how to decode its audio. */
  /** One endpoint a recording hears: its addresses for RTP and for RTCP (the peer's may change as it is learned). */
  record Leg(String endpointId, InetSocketAddress local, java.util.function.Supplier<InetSocketAddress> remote,
             InetSocketAddress localRtcp, java.util.function.Supplier<InetSocketAddress> remoteRtcp, G711 law) {}

  /**
   * What a finished recording reports ({@code recording.stop} and {@code recording.stopped}).
   *
   * @param reason {@code stopped} for recording.stop, else why it ended
   */
  public record Result(String recordingId, String filePath, long durationMs, long packets, long droppedPackets, String reason) {}

  final String id;
  final String endpointId;
  /** As the client gave it, relative to the recording directory: what results report. */
  final String requestedPath;
  final Path path;
  final Format format;
  final boolean stereo;
  final PacketRing ring;
  final long startNanos = System.nanoTime();
  final long startEpochMillis = System.currentTimeMillis();
  final List<Leg> legs = new CopyOnWriteArrayList<>();
  final CompletableFuture<Result> ended = new CompletableFuture<>();
  /** Set when the recording ends: the taps stop offering. */
  volatile boolean closed;
  volatile String endReason;
  /** Packets (and local-source frames) written to the file: recorder thread only. */
  long written;

  Recording(String id, String endpointId, String requestedPath, Path path, Format format, boolean stereo, int queueBytes) {
    this.id = id;
    this.endpointId = endpointId;
    this.requestedPath = requestedPath;
    this.path = path;
    this.format = format;
    this.stereo = stereo;
    this.ring = new PacketRing(queueBytes);
  }

  public String id() { return id; }

  /** The endpoint it records, or null for the whole session. */
  public String endpointId() { return endpointId; }

  public Path path() { return path; }

  /** Completes once the file is final, whatever ended the recording. */
  public CompletableFuture<Result> ended() { return ended; }

  /**
   * Adds an endpoint to what this recording hears; attach the returned tap to its media port. Null
   * when the recording has heard {@link #MAX_LEGS} endpoints already (it records the ones it has).
   *
   * @param audioPayloadType the endpoint's audio payload type (for WAV decoding), -1 for local sources
   */
  public RecordingTap tap(String endpointId, InetSocketAddress local, java.util.function.Supplier<InetSocketAddress> remote,
                          InetSocketAddress localRtcp, java.util.function.Supplier<InetSocketAddress> remoteRtcp,
                          G711 law, int audioPayloadType) {
    Leg entry = new Leg(endpointId, local, remote, localRtcp, remoteRtcp, law);
    for (int i = 0; i < legs.size(); i++) {
      if (legs.get(i).endpointId().equals(endpointId)) { // the same endpoint again (back from a transfer)
        legs.set(i, entry);
        return new RecordingTap(this, i, audioPayloadType);
      }
    }
    if (legs.size() >= MAX_LEGS) return null;
    legs.add(entry);
    return new RecordingTap(this, legs.size() - 1, audioPayloadType);
  }
}
