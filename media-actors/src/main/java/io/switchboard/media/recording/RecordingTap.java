package io.switchboard.media.recording;

import java.nio.ByteBuffer;

/**
 * Where one endpoint's packets enter one recording. Lives on the endpoint's media port and is called on
 * the media thread for every packet in and out: it only copies into the recording's ring (or counts a
 * drop), never blocks, never allocates.
 */
public final class RecordingTap {

  static final int INBOUND = 1;
  static final int RTCP = 2;
  static final int AUDIO = 4;
  static final int PCM = 8;

  private final Recording recording;
  private final int leg;
  private final int audioPayloadType;

  RecordingTap(Recording recording, int leg, int audioPayloadType) {
    this.recording = recording;
    this.leg = leg;
    this.audioPayloadType = audioPayloadType;
  }

  public Recording recording() {
    return recording;
  }

  /** An RTP packet received from ({@code inbound}) or sent to the peer, at {@code offset} in {@code packet}. */
  public void rtp(boolean inbound, ByteBuffer packet, int offset, int length, long now) {
    if (recording.closed) return;
    boolean audio = length > 12 && (packet.get(offset + 1) & 0x7f) == audioPayloadType;
    int flags = (inbound ? INBOUND : 0) | (audio ? AUDIO : 0);
    recording.ring.offer(flags, leg, now, packet, offset, length);
  }

  public void rtcp(boolean inbound, ByteBuffer packet, int offset, int length, long now) {
    if (recording.closed) return;
    recording.ring.offer((inbound ? INBOUND : 0) | RTCP, leg, now, packet, offset, length);
  }

  /** A frame of a local source (tone, file), which has no packets of its own: its audio as it enters the session. */
  public void pcm(short[] frame, int samples, long now) {
    if (recording.closed) return;
    recording.ring.offerPcm(INBOUND | PCM, leg, now, frame, samples);
  }
}
