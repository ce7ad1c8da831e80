package io.switchboard.media.transport;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * {@code switchboard.media.*}, parsed once.
 *
 * @param ip address the RTP sockets bind to
 * @param advertisedIp address written into SDP (differs from {@code ip} behind NAT); empty: {@code ip}
 * @param mediaTimeout silence from a peer after which {@code endpoint.media_timeout} is raised
 * @param rtcpInterval mean time between the RTCP reports an endpoint sends (randomised ±50%)
 * @param learningWindow after a peer's first packet, how long a packet from another source still
 *     replaces the address media is sent to (symmetric RTP); later ones are dropped
 * @param receiveBuffer the kernel's receive buffer of each RTP/RTCP socket, in bytes: how much a peer's
 *     packets may queue while the media thread is busy, and so the longest delay before the kernel drops
 * @param maxEndpoints endpoints one session may hold
 * @param nativeIo whether the media thread uses the native UDP calls ({@link NativeUdp}) or NIO
 * @param threadNice the media thread's nice value (with native I/O), below the JVM's other threads
 * @param threadSlice the time slice the media thread asks the scheduler for (with native I/O); zero: the
 *     kernel's default
 * @param warmUpPackets packets each of the warm-up's loops relays when the node starts ({@link WarmUp}); 0: none
 */
public record MediaSettings(String ip, String advertisedIp, int portMin, int portMax, Duration mediaTimeout,
                            Duration rtcpInterval, Duration learningWindow, int receiveBuffer, int maxEndpoints,
                            NativeIo nativeIo, int threadNice, Duration threadSlice,
                            int warmUpPackets) {

  /** {@code switchboard.media.native-io}: native when it can be loaded, native or fail, or NIO. */
  public enum NativeIo { AUTO, ON, OFF }

  public static MediaSettings fromConfig(Config root) {
    Config c = root.getConfig("switchboard.media");
    String advertised = c.getString("advertised-ip");
    return new MediaSettings(c.getString("ip"), advertised.isBlank() ? c.getString("ip") : advertised,
        c.getInt("port-min"), c.getInt("port-max"), c.getDuration("media-timeout"),
        c.getDuration("rtcp-interval"), c.getDuration("learning-window"),
        (int) Math.min(Integer.MAX_VALUE, c.getBytes("receive-buffer")),
        root.getInt("switchboard.session.max-endpoints"), nativeIo(c.getString("native-io")), nice(c.getInt("thread-nice")),
        slice(c.getDuration("thread-slice")), warmUp(c.getInt("warm-up-packets")));
  }

  private static int warmUp(int value) {
    if (value < 0 || value > 1_000_000) {
      throw new IllegalArgumentException("switchboard.media.warm-up-packets must be between 0 (no warm-up) and 1000000, not " + value);
    }
    return value;
  }

  /** The kernel takes slices of 0.1 to 100 ms (and clamps others silently); outside that is a typo. */
  private static Duration slice(Duration value) {
    if (!value.isZero() && (value.compareTo(Duration.ofNanos(100_000)) < 0 || value.compareTo(Duration.ofMillis(100)) > 0)) {
      throw new IllegalArgumentException("switchboard.media.thread-slice must be 0 (the kernel's default) or between 100us and 100ms, not " + value.toNanos() / 1000 + "us");
    }
    return value;
  }

  private static int nice(int value) {
    if (value < -20 || value > 19) throw new IllegalArgumentException("switchboard.media.thread-nice must be between -20 and 19, not " + value);
    return value;
  }

  private static NativeIo nativeIo(String value) {
    for (NativeIo mode : NativeIo.values()) {
      if (mode.name().equalsIgnoreCase(value)) return mode;
    }
    throw new IllegalArgumentException("switchboard.media.native-io must be auto, on or off, not \"" + value + "\"");
  }
}
