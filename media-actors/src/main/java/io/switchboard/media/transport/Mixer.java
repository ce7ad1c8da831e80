package io.switchboard.media.transport;

import io.switchboard.media.rtp.RtpHeader;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * The audio mix of a session with three or more RTP endpoints: every 20 ms each receiver gets the sum of
 * the other parties' latest frames (decoded, summed with saturation, encoded in the receiver's codec),
 * numbered as the mixer's own frames and sent in the receiver's one outbound stream.
 *
 * <p>Media thread only. Frames are 160 samples (20 ms at 8 kHz). Each party's audio reaches the mix
 * through its {@link MixBuffer}, a small jitter buffer that takes packets of any length, so peers with
 * 30 ms packets or some jitter are heard whole; a party whose buffer is dry is not in the mix.
 */
public final class Mixer {

  static final int FRAME = 160;
  private static final long TICK_NANOS = 20_000_000L;

  private final MediaReactor reactor;
  private volatile MediaPort[] parties = new MediaPort[0];
  private boolean running;
  private final int[] sum = new int[FRAME];
  private final short[] pcm = new short[FRAME];
  private final ByteBuffer out = ByteBuffer.allocateDirect(RtpHeader.FIXED_LENGTH + FRAME);

  Mixer(MediaReactor reactor) {
    this.reactor = reactor;
  }

  /** Sets who takes part; called by the control plane, takes effect at the next tick. */
  public void setParties(MediaPort[] ports) {
    parties = ports.clone();
    reactor.submitToMediaThread(this::startIfNeeded);
  }

  public void stop() {
    parties = new MediaPort[0];
  }

  private void startIfNeeded() {
    if (running || parties.length == 0) return;
    running = true;
    long first = System.nanoTime() + TICK_NANOS;
    reactor.schedule(first, () -> tick(first));
  }

  /** One mix, due at {@code due}; the next is due a frame later, so the mix keeps 50 frames a second. */
  private void tick(long due) {
    MediaPort[] ps = parties;
    if (ps.length == 0) {
      running = false;
      return;
    }
    long now = System.nanoTime();
    for (MediaPort party : ps) {
      party.mixHasAudio = party.direction.receives() && party.mixIn != null && party.mixIn.read(party.mixFrame);
    }
    for (MediaPort receiver : ps) mixFor(receiver, ps, now);
    long next = due + TICK_NANOS;
    if (now - next >= TICK_NANOS) next += (now - next) / TICK_NANOS * TICK_NANOS; // stalled: skip, never burst
    long at = next;
    reactor.schedule(at, () -> tick(at));
  }

  private void mixFor(MediaPort receiver, MediaPort[] ps, long now) {
    InetSocketAddress to = receiver.remote;
    boolean bridge = receiver.isBridge();
    if ((to == null && !bridge) || !receiver.direction.sends()) return;
    java.util.Arrays.fill(sum, 0);
    int voices = 0;
    for (MediaPort source : ps) {
      if (source == receiver || !source.mixHasAudio) continue;
      short[] frame = source.mixFrame;
      for (int i = 0; i < FRAME; i++) sum[i] += frame[i];
      voices++;
    }
    for (int i = 0; i < FRAME; i++) pcm[i] = (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, sum[i]));
    if (bridge) { // the other session gets this session's mix as if it came from a party of its own
      receiver.sendBridgedPcm(pcm, out, now);
      return;
    }
    out.clear();
    receiver.law.encode(pcm, FRAME, out, RtpHeader.FIXED_LENGTH);
    boolean first = receiver.mixSeq == 0;
    boolean mapped = receiver.stream.map(this, 0, receiver.mixSeq++ & 0xffff, receiver.mixTimestamp, false, now);
    receiver.mixTimestamp += FRAME;
    if (!mapped) return;
    RtpHeader.writeFixed(out, 0, voices > 0 && first, receiver.codec().payloadType(),
        receiver.stream.seq(), receiver.stream.timestamp(), receiver.stream.ssrc());
    out.limit(RtpHeader.FIXED_LENGTH + FRAME).position(0);
    receiver.sendDatagram(out, to);
  }
}
