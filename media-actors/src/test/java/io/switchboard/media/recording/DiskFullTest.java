package io.switchboard.media.recording;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.media.codec.G711;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A disk that fills up in the middle of a recording: the writer fails as the recorder thread would see
 * it, is abandoned, and what reached the disk must still open in sox (WAV) or tshark (PCAP).
 */
class DiskFullTest {

  private static final long MS = 1_000_000L;

  /**
   * A file on a disk with room for {@code capacity} bytes: a write past it puts down what fits, the next
   * one fails as ENOSPC does. Rewriting bytes already in place still works, as on a real full disk.
   */
  static final class FullDisk extends FileChannel {
    final FileChannel real;
    final long capacity;

    FullDisk(Path file, long capacity) throws IOException {
      this.real = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
      this.capacity = capacity;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
      long room = capacity - real.position();
      if (room <= 0) throw new IOException("No space left on device");
      if (src.remaining() <= room) return real.write(src);
      ByteBuffer part = src.slice();
      part.limit((int) room);
      int n = real.write(part);
      src.position(src.position() + n);
      return n;
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
      if (position + src.remaining() > Math.max(capacity, real.size())) throw new IOException("No space left on device");
      return real.write(src, position);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
      long n = 0;
      for (int i = offset; i < offset + length; i++) n += write(srcs[i]);
      return n;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      return real.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
      return real.read(dsts, offset, length);
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      return real.read(dst, position);
    }

    @Override
    public long position() throws IOException {
      return real.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
      real.position(newPosition);
      return this;
    }

    @Override
    public long size() throws IOException {
      return real.size();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
      real.truncate(size);
      return this;
    }

    @Override
    public void force(boolean metaData) throws IOException {
      real.force(metaData);
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) {
      throw new UnsupportedOperationException();
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) {
      throw new UnsupportedOperationException();
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) {
      throw new UnsupportedOperationException();
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) {
      throw new UnsupportedOperationException();
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) {
      throw new UnsupportedOperationException();
    }

    @Override
    protected void implCloseChannel() throws IOException {
      real.close();
    }
  }

  /** Runs a tool and returns its stdout; fails the test with its stderr when it fails. */
  static String run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), String.join(" ", command) + " failed:\n" + err);
    return out;
  }

  /** Moves what the taps queued into the writer, as the recorder thread does. */
  static void drain(Recording recording, RecordingWriter writer) throws IOException {
    PacketRing.Record r = new PacketRing.Record();
    while (recording.ring.poll(r)) writer.write(r);
  }

  @Test
  void aWavCutShortByAFullDiskKeepsAHeaderForTheAudioThatGotThrough() throws Exception {
    Path file = Files.createTempDirectory("disk-full").resolve("full.wav");
    // room for the header, half a second of audio (8000 bytes) and one byte of a torn sample
    FullDisk disk = new FullDisk(file, 44 + 8000 + 1);
    Recording recording = new Recording("r", null, "full.wav", file, Recording.Format.WAV, false, 1 << 20);
    WavWriter writer = new WavWriter(recording, disk);
    RecordingTap tap = recording.tap("tone", null, () -> null, null, () -> null, null, -1);
    short[] frame = new short[160];
    assertThrows(IOException.class, () -> {
      for (int f = 0; f < 150; f++) { // 3 s of 440 Hz, as a local source hands it over every 20 ms
        for (int i = 0; i < 160; i++) frame[i] = (short) Math.round(5000 * Math.sin(2 * Math.PI * 440 * (f * 160 + i) / 8000.0));
        long now = recording.startNanos + (f + 1) * 20 * MS;
        tap.pcm(frame, 160, now);
        drain(recording, writer);
        writer.tick(now);
      }
      writer.finish(recording.startNanos + 3100 * MS);
    }, "the disk fills up");
    writer.abandon();

    assertEquals(44 + 8000, Files.size(file), "the torn sample is cut off");
    ByteBuffer header = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(36 + 8000, header.getInt(4), "RIFF size");
    assertEquals(8000, header.getInt(40), "data size: what reached the disk");
    assertEquals(0.5, Double.parseDouble(run("sox", "--i", "-D", file.toString()).trim()), 1e-6);
    String stat = new String(new ProcessBuilder("sox", file.toString(), "-n", "stat").redirectErrorStream(true).start()
        .getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(stat.matches("(?s).*Rough\\s+frequency:\\s+4[34]\\d.*"), "sox hears the 440 Hz that was recorded:\n" + stat);
  }

  @Test
  void aPcapCutShortByAFullDiskEndsWithItsLastWholePacket() throws Exception {
    Path file = Files.createTempDirectory("disk-full").resolve("full.pcap");
    int record = 16 + 14 + 20 + 8 + 172; // pcap record header, Ethernet, IPv4, UDP, RTP with 160 bytes of audio
    FullDisk disk = new FullDisk(file, 24 + 300L * record + 100); // 300 packets and part of the next
    Recording recording = new Recording("r", "leg", "full.pcap", file, Recording.Format.PCAP, false, 1 << 20);
    PcapWriter writer = new PcapWriter(recording, disk);
    RecordingTap tap = recording.tap("leg", new InetSocketAddress("127.0.0.1", 40000),
        () -> new InetSocketAddress("127.0.0.1", 50000), new InetSocketAddress("127.0.0.1", 40001),
        () -> new InetSocketAddress("127.0.0.1", 50001), G711.PCMU, 0);
    ByteBuffer packet = ByteBuffer.allocate(172);
    assertThrows(IOException.class, () -> {
      for (int seq = 0; seq < 2000; seq++) {
        packet.clear();
        packet.put((byte) 0x80).put((byte) 0).putShort((short) seq).putInt(seq * 160).putInt(0x1234).put(new byte[160]).flip();
        tap.rtp(true, packet, 0, 172, recording.startNanos + seq * 20 * MS);
        drain(recording, writer);
      }
      writer.finish(recording.startNanos + 40_000 * MS);
    }, "the disk fills up");
    writer.abandon();

    assertEquals(24 + 300L * record, Files.size(file), "cut back to the last whole packet");
    String seqs = run("tshark", "-r", file.toString(), "-d", "udp.port==40000,rtp", "-T", "fields", "-e", "rtp.seq");
    var numbers = seqs.lines().filter(l -> !l.isBlank()).map(Integer::parseInt).toList();
    assertEquals(300, numbers.size(), "tshark reads every packet that got through, and no error");
    for (int i = 0; i < numbers.size(); i++) assertEquals(i, numbers.get(i));
  }
}
