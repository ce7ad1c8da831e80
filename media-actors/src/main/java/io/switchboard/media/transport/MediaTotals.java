package io.switchboard.media.transport;

import io.switchboard.media.rtp.DropReason;
import java.util.Arrays;

/**
 * The node's RTP endpoints summed up: how many there are and what all of them, the removed ones
 * included, have received, sent and dropped. Made by the media thread about once a second, so that
 * metrics read one consistent value without touching the per-packet counters' thread.
 *
 * @param dropped packets dropped, indexed by {@link DropReason#ordinal()}
 */
public record MediaTotals(int endpoints, long packetsIn, long bytesIn, long packetsOut, long bytesOut, long[] dropped) {

  private static final DropReason[] REASONS = DropReason.values();
  /** Slots of a running sum ({@link #add}): four counters, then one per drop reason. */
  static final int SLOTS = 4 + REASONS.length;
  /** No endpoints, nothing counted: the totals of a node that has not hosted media. */
  public static final MediaTotals NONE = of(0, new long[SLOTS]);

  public long dropped(DropReason reason) {
    return dropped[reason.ordinal()];
  }

  /** Adds one endpoint's counters to a running sum. */
  static void add(long[] sum, MediaPort p) {
    sum[0] += p.packetsIn();
    sum[1] += p.bytesIn();
    sum[2] += p.packetsOut();
    sum[3] += p.bytesOut();
    for (int i = 0; i < REASONS.length; i++) sum[4 + i] += p.dropped(REASONS[i]);
  }

  static MediaTotals of(int endpoints, long[] sum) {
    return new MediaTotals(endpoints, sum[0], sum[1], sum[2], sum[3], Arrays.copyOfRange(sum, 4, SLOTS));
  }
}
