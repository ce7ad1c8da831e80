package io.switchboard.media.recording;

import io.switchboard.media.codec.G711;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;

/**
 * Writes recorded audio as 16-bit PCM WAV at 8 kHz: one channel (a leg: both directions mixed; the
 * session: every voice once, as it enters) or two (the leg's inbound audio left, outbound right).
 *
 * <p>Audio is laid out by time, not by packet count: each stream (a leg and a direction) has a cursor,
 * and a frame lands at its cursor while it arrives on time (within two frames), or at its arrival time
 * after a gap or a jump, so silence stays silence and streams stay aligned with each other. Frames are
 * summed with saturation into a window of a few seconds, which is written out once it is half a second
 * old. A frame older than what is written is counted as dropped.
 */
final class WavWriter implements RecordingWriter {

  private static final int RATE = 8000;
  private static final int WINDOW = RATE * 4;
  private static final long LATENCY_SAMPLES = RATE / 2;
  private static final int HEADER = 44;

  private final Recording recording;
  private final FileChannel file;
  private final int channels;
  private final int[][] window;
  private long[] cursors = new long[64];
  private final short[] pcm = new short[0xffff];
  private final ByteBuffer out = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
  private long written;
  private long end;
  private long late;

  WavWriter(Recording recording, FileChannel file) throws IOException {
    this.recording = recording;
    this.file = file;
    this.channels = recording.stereo ? 2 : 1;
    this.window = new int[channels][WINDOW];
    java.util.Arrays.fill(cursors, Long.MIN_VALUE);
    header(out, 0);
    out.flip();
    while (out.hasRemaining()) file.write(out);
    out.clear();
  }

  /** Frames that came too late to be placed (already written out). */
  long late() {
    return late;
  }

  @Override
  public void write(PacketRing.Record r) throws IOException {
    int flags = r.flags;
    if ((flags & RecordingTap.RTCP) != 0) return;
    boolean inbound = (flags & RecordingTap.INBOUND) != 0;
    // the session's mix takes each voice once, as it enters: what goes out to a peer is others' voices again
    if (!inbound && recording.endpointId == null) return;
    int samples;
    if ((flags & RecordingTap.PCM) != 0) {
      samples = r.length / 2;
      for (int i = 0; i < samples; i++) pcm[i] = (short) ((r.data[2 * i] & 0xff) | r.data[2 * i + 1] << 8);
    } else {
      if ((flags & RecordingTap.AUDIO) == 0) return; // telephone-events are not audio
      G711 law = recording.legs.get(r.leg).law();
      if (law == null) return;
      int header = rtpHeaderLength(r.data, r.length);
      if (header < 0) return;
      samples = r.length - header;
      for (int i = 0; i < samples; i++) pcm[i] = G711.decodeSample(law, r.data[header + i]);
    }
    int stream = r.leg * 2 + (inbound ? 0 : 1);
    if (stream >= cursors.length) {
      int old = cursors.length;
      cursors = java.util.Arrays.copyOf(cursors, Math.max(stream + 1, 2 * old));
      java.util.Arrays.fill(cursors, old, cursors.length, Long.MIN_VALUE);
    }
    long arrivalEnd = (r.nanos - recording.startNanos) * RATE / 1_000_000_000L;
    long at = arrivalEnd - samples;
    long cursor = cursors[stream];
    if (cursor != Long.MIN_VALUE && Math.abs(at - cursor) <= 2L * samples) at = cursor;
    // a stream's first frame may have begun before the recording did: it starts the file, it is not late
    if (cursor == Long.MIN_VALUE && at < written) at = written;
    if (at < written) {
      late++;
      cursors[stream] = at + samples;
      return;
    }
    if (at + samples > written + WINDOW) flushTo(at + samples - WINDOW);
    int channel = channels == 2 && !inbound ? 1 : 0;
    int[] w = window[channel];
    for (int i = 0; i < samples; i++) w[(int) ((at + i) % WINDOW)] += pcm[i];
    cursors[stream] = at + samples;
    end = Math.max(end, at + samples);
  }

  private static int rtpHeaderLength(byte[] p, int length) {
    int cc = p[0] & 0x0f;
    int h = 12 + 4 * cc;
    if ((p[0] & 0x10) != 0) {
      if (length < h + 4) return -1;
      h += 4 + 4 * ((p[h + 2] & 0xff) << 8 | (p[h + 3] & 0xff));
    }
    int padding = (p[0] & 0x20) != 0 ? p[length - 1] & 0xff : 0;
    return h + padding <= length ? h : -1;
  }

  @Override
  public void tick(long nowNanos) throws IOException {
    long now = (nowNanos - recording.startNanos) * RATE / 1_000_000_000L;
    flushTo(now - LATENCY_SAMPLES);
  }

  /** Writes samples up to (not including) {@code until}, clearing their place in the window. */
  private void flushTo(long until) throws IOException {
    while (written < until) {
      int slot = (int) (written % WINDOW);
      if (out.remaining() < 2 * channels) drain();
      for (int c = 0; c < channels; c++) {
        int v = window[c][slot];
        window[c][slot] = 0;
        out.putShort((short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, v)));
      }
      written++;
    }
    drain();
  }

  private void drain() throws IOException {
    out.flip();
    while (out.hasRemaining()) file.write(out);
    out.clear();
  }

  /** The 44-byte header of a file whose data chunk holds {@code data} bytes. */
  private void header(ByteBuffer b, long data) {
    b.put(new byte[] {'R', 'I', 'F', 'F'}).putInt((int) (36 + data)).put(new byte[] {'W', 'A', 'V', 'E'})
        .put(new byte[] {'f', 'm', 't', ' '}).putInt(16).putShort((short) 1).putShort((short) channels)
        .putInt(RATE).putInt(RATE * 2 * channels).putShort((short) (2 * channels)).putShort((short) 16)
        .put(new byte[] {'d', 'a', 't', 'a'}).putInt((int) data);
  }

  @Override
  public long finish(long nowNanos) throws IOException {
    flushTo(Math.max(end, (nowNanos - recording.startNanos) * RATE / 1_000_000_000L));
    header(out, written * 2 * channels);
    out.flip();
    file.write(out, 0);
    out.clear();
    file.force(false);
    file.close();
    return written * 1000 / RATE;
  }

  /**
   * Closes the file after a failure (typically a full disk) with a header that covers the whole sample
   * frames that reached the disk, so what was recorded still opens and plays; a torn last frame is cut
   * off. Rewriting the header and truncating need no new disk space, so they work on a full disk; when
   * even they fail, the file keeps the header of length zero that it started with.
   */
  @Override
  public void abandon() {
    try {
      long data = file.size() - HEADER;
      if (data > 0) {
        data -= data % (2L * channels);
        file.truncate(HEADER + data);
        ByteBuffer h = ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN);
        header(h, data);
        h.flip();
        while (h.hasRemaining()) file.write(h, h.position());
      }
    } catch (IOException | RuntimeException ignored) {
      // the disk refuses even this: the file stays as it is
    } finally {
      try {
        file.close();
      } catch (IOException ignored) {
        // the recording already failed; nothing more to do with the file
      }
    }
  }
}
