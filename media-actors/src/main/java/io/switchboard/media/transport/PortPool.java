package io.switchboard.media.transport;

import java.util.ArrayDeque;
import java.util.BitSet;

/**
 * The node's RTP/RTCP port pairs from {@code switchboard.media.port-min}..{@code port-max}: an even RTP
 * port and the odd RTCP port above it (RFC 3550 §11). Pairs are handed out least recently used first, so
 * a port just released is not reused at once (late packets of an old call must not reach a new one).
 * Thread-safe; a pair is acquired when an endpoint is created and released when it goes.
 */
public final class PortPool {

  private final int min;
  private final int max;
  private final ArrayDeque<Integer> free = new ArrayDeque<>();
  private final BitSet inUse = new BitSet();

  public PortPool(int min, int max) {
    if (min < 1024 || max > 65535 || min >= max) {
      throw new IllegalArgumentException("port range must lie within 1024..65535 and hold a pair: " + min + ".." + max);
    }
    this.min = min + (min & 1); // first even port
    this.max = max;
    for (int p = this.min; p + 1 <= max; p += 2) free.add(p);
    if (free.isEmpty()) throw new IllegalArgumentException("port range " + min + ".." + max + " holds no even/odd pair");
  }

  /** The RTP port of a free pair (RTCP is +1), or -1 when none is left. */
  public synchronized int acquire() {
    Integer port = free.poll();
    if (port == null) return -1;
    inUse.set(port - min);
    return port;
  }

  /** Returns a pair taken with {@link #acquire}; releasing a port twice or one never taken is ignored. */
  public synchronized void release(int rtpPort) {
    if (rtpPort < min || rtpPort > max || !inUse.get(rtpPort - min)) return;
    inUse.clear(rtpPort - min);
    free.add(rtpPort);
  }

  public synchronized int available() {
    return free.size();
  }

  public int capacity() {
    return (max - min + 1) / 2;
  }
}
