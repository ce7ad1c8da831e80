package io.switchboard.media.recording;

import java.nio.ByteBuffer;

/**
 * The queue between the media thread and the disk: one producer (the media thread) copies packets in,
 * one consumer (the recorder thread) takes them out. Bounded by bytes; when it is full the packet is
 * dropped and counted, so the media path never waits for the disk.
 *
 * <p>Each record: length of the data (2 bytes), flags, leg index (2 bytes), arrival time
 * (System.nanoTime, 8 bytes), the data. No allocation on either side.
 */
final class PacketRing {

  static final int HEADER = 13;

  private final byte[] ring;
  private final int mask;
  private volatile long head;
  private volatile long tail;
  private volatile long dropped;

  PacketRing(int capacityBytes) {
    int size = Integer.highestOneBit(Math.max(4096, capacityBytes) - 1) << 1; // the power of two at or above
    ring = new byte[size];
    mask = size - 1;
  }

  long dropped() {
    return dropped;
  }

  /** Producer: copies {@code length} bytes of {@code src} from {@code offset}; false (and counted) when full. */
  boolean offer(int flags, int leg, long nanos, ByteBuffer src, int offset, int length) {
    if (!reserve(length)) return false;
    long at = head;
    writeHeader(at, length, flags, leg, nanos);
    int p = (int) ((at + HEADER) & mask);
    int first = Math.min(length, ring.length - p);
    src.get(offset, ring, p, first);
    if (first < length) src.get(offset + first, ring, 0, length - first);
    head = at + HEADER + length;
    return true;
  }

  /** Producer: 16-bit little-endian PCM from a local source's frame. */
  boolean offerPcm(int flags, int leg, long nanos, short[] pcm, int samples) {
    int length = samples * 2;
    if (!reserve(length)) return false;
    long at = head;
    writeHeader(at, length, flags, leg, nanos);
    long p = at + HEADER;
    for (int i = 0; i < samples; i++) {
      ring[(int) (p++ & mask)] = (byte) pcm[i];
      ring[(int) (p++ & mask)] = (byte) (pcm[i] >> 8);
    }
    head = at + HEADER + length;
    return true;
  }

  private boolean reserve(int length) {
    if (length > 0xffff || ring.length - (head - tail) < HEADER + length) {
      dropped++;
      return false;
    }
    return true;
  }

  private void writeHeader(long at, int length, int flags, int leg, long nanos) {
    put(at, (byte) (length >> 8));
    put(at + 1, (byte) length);
    put(at + 2, (byte) flags);
    put(at + 3, (byte) (leg >> 8));
    put(at + 4, (byte) leg);
    for (int i = 0; i < 8; i++) put(at + 5 + i, (byte) (nanos >>> (56 - 8 * i)));
  }

  private void put(long at, byte b) {
    ring[(int) (at & mask)] = b;
  }

  private int get(long at) {
    return ring[(int) (at & mask)] & 0xff;
  }

  /** What the consumer reads of one record; reused. */
  static final class Record {
    int flags;
    int leg;
    long nanos;
    int length;
    final byte[] data = new byte[0xffff];
  }

  /** Consumer: takes the oldest record into {@code r}; false when the ring is empty. */
  boolean poll(Record r) {
    long at = tail;
    if (at == head) return false;
    r.length = get(at) << 8 | get(at + 1);
    r.flags = get(at + 2);
    r.leg = get(at + 3) << 8 | get(at + 4);
    long nanos = 0;
    for (int i = 0; i < 8; i++) nanos = nanos << 8 | get(at + 5 + i);
    r.nanos = nanos;
    int p = (int) ((at + HEADER) & mask);
    int first = Math.min(r.length, ring.length - p);
    System.arraycopy(ring, p, r.data, 0, first);
    if (first < r.length) System.arraycopy(ring, 0, r.data, first, r.length - first);
    tail = at + HEADER + r.length;
    return true;
  }
}
