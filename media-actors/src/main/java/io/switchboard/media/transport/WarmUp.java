package io.switchboard.media.transport;

import io.switchboard.media.rtp.RtpHeader;
import io.switchboard.media.sdp.Direction;
import io.switchboard.media.sdp.RtpMap;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * Packets relayed in loops between the media thread's own sockets when the node starts, before it
 * takes calls. Without them the JIT compiler meets the relay path with the first calls: a node that is
 * given a thousand at once carries them for seconds on slower, profiling code, and compiles the path on
 * the media core while their packets wait — the worst latency a fresh node shows.
 *
 * <p>Each round binds fresh sockets and makes two loops of ports, kept going by their own packets, so
 * every bounce is one pass through the path a call's packet takes (poll, receive, checks, route,
 * rewrite, send): a pass-through pair, PCMU on both sides, and a ring of four ports that transcodes
 * PCMU to PCMA and back, so the compiled code has seen both conversions; one packet in each loop is an
 * RFC 4733 digit, so it has seen those too. Rounds, not one long run: the
 * first packet of a call takes branches of its own (latching the peer, a new sender, a new stream), and
 * code compiled from a profile that never saw them is thrown away when the first real call arrives.
 * The ports come from no pool (the kernel picks them), count in no totals and raise no events.
 */
final class WarmUp {

  private static final int ROUNDS = 50;
  private static final int IN_FLIGHT = 4;
  /** Nobody listens to the warm-up's ports. */
  static final MediaListener SILENT = new MediaListener() {
    @Override public void firstPacket(String endpointId) {}
    @Override public void dtmf(String endpointId, char digit, int durationMs) {}
    @Override public void rtcpBye(String endpointId, long[] ssrcs, String reason) {}
    @Override public void mediaTimeout(String endpointId, long silentMs) {}
    @Override public void speechStarted(String endpointId) {}
    @Override public void silence(String endpointId, long silenceMs) {}
    @Override public void sourceFinished(String endpointId, String error) {}
  };
  /**
   * The ports' codecs. A packet arriving at an even port leaves from the odd port after it, and what
   * leaves port i arrives at port {@code PEER_OF[i]}: 0 and 1 are a pair, 2 to 5 a ring.
   */
  private static final RtpMap[] CODECS = {RtpMap.staticType(0), RtpMap.staticType(0),
      RtpMap.staticType(0), RtpMap.staticType(8), RtpMap.staticType(8), RtpMap.staticType(0)};
  private static final int[] PEER_OF = {1, 0, 5, 4, 3, 2};
  private static final RtpMap DIGITS = new RtpMap(101, RtpMap.TELEPHONE_EVENT, 8000, 1, "0-16");

  /** What the media thread lends the warm-up: sockets on its address, and its poller. */
  interface Host {
    UdpSocket bind(int port) throws IOException;

    void register(MediaPort port) throws IOException;

    void retire(MediaPort port);
  }

  private final Host host;
  private final InetAddress address;
  private final long perRound;
  private MediaPort[] ports;
  private int round;
  private long relayed;
  private int steps;

  /** @param packets how many packets each receiving port relays, over all rounds */
  WarmUp(Host host, String ip, long packets) throws IOException {
    this.host = host;
    this.address = reachable(ip);
    this.perRound = Math.max(1, packets / ROUNDS);
  }

  /** Binds the first round and sends its packets; the loops run in the media thread's own turns from here. */
  void start(ByteBuffer scratch) throws IOException {
    ports = bindRound();
    feed(scratch);
  }

  /**
   * One turn of the media thread's loop: now and then each port reports to its peer's RTCP socket (so
   * writing and parsing reports is compiled as well), and a round that is done makes way for the next.
   *
   * @return false once the last round is done and its ports are gone
   */
  boolean step(long now, ByteBuffer scratch) throws IOException {
    if ((++steps & 7) == 0) for (MediaPort p : ports) p.sendReport(now, scratch, false);
    for (int r = 0; r < ports.length; r += 2) if (ports[r].packetsIn() < perRound) return true;
    stop();
    if (++round == ROUNDS) return false;
    start(scratch);
    return true;
  }

  /** Closes the current round's ports (its packets in flight die with the sockets). */
  void stop() {
    if (ports == null) return;
    for (int r = 0; r < ports.length; r += 2) relayed += ports[r].packetsIn();
    for (MediaPort p : ports) host.retire(p);
    ports = null;
  }

  /** Packets relayed in the rounds stopped so far. */
  long relayed() {
    return relayed;
  }

  /** Whether every round was completed (a round whose packets were all lost never is). */
  boolean complete() {
    return round == ROUNDS;
  }

  private MediaPort[] bindRound() throws IOException {
    UdpSocket[] rtp = new UdpSocket[CODECS.length];
    UdpSocket[] rtcp = new UdpSocket[CODECS.length];
    MediaPort[] made = new MediaPort[CODECS.length];
    try {
      for (int i = 0; i < CODECS.length; i++) {
        rtp[i] = host.bind(0);
        rtcp[i] = host.bind(0);
      }
      for (int i = 0; i < CODECS.length; i++) {
        int peer = PEER_OF[i];
        made[i] = new MediaPort("warm-up-" + i, 0, rtp[i], rtcp[i], CODECS[i], DIGITS, Direction.SENDRECV,
            addressOf(rtp[peer]), addressOf(rtcp[peer]), false, SILENT);
      }
      for (int r = 0; r < made.length; r += 2) made[r].setRoute(new MediaPort.Route(new MediaPort[] {made[r + 1]}));
      for (MediaPort p : made) host.register(p);
      return made;
    } catch (IOException | RuntimeException e) {
      for (int i = 0; i < CODECS.length; i++) {
        if (made[i] != null) {
          host.retire(made[i]);
        } else {
          if (rtp[i] != null) rtp[i].close();
          if (rtcp[i] != null) rtcp[i].close();
        }
      }
      throw e;
    }
  }

  /** Each odd port sends the packets that keep its loop going, to the even port it feeds. */
  private void feed(ByteBuffer scratch) {
    for (int f = 1; f < ports.length; f += 2) {
      MediaPort from = ports[f];
      for (int k = 0; k < IN_FLIGHT; k++) {
        boolean digit = k == IN_FLIGHT - 1;
        scratch.clear();
        RtpHeader.writeFixed(scratch, 0, k == 0, digit ? DIGITS.payloadType() : from.codec().payloadType(), k, 160L * k,
            0x5741524dL + f);
        scratch.position(RtpHeader.FIXED_LENGTH);
        if (digit) {
          scratch.put((byte) 5).put((byte) 10).putShort((short) 800); // digit 5, not ended, 100 ms so far
        } else {
          while (scratch.position() < RtpHeader.FIXED_LENGTH + 160) scratch.put((byte) scratch.position());
        }
        scratch.flip();
        from.sendDatagram(scratch, from.remote);
      }
    }
  }

  private InetSocketAddress addressOf(UdpSocket socket) throws IOException {
    return new InetSocketAddress(address, ((InetSocketAddress) socket.channel.getLocalAddress()).getPort());
  }

  private static InetAddress reachable(String ip) throws IOException {
    InetAddress a = InetAddress.getByName(ip);
    if (!a.isAnyLocalAddress()) return a;
    return InetAddress.getByName(a instanceof Inet4Address ? "127.0.0.1" : "::1");
  }
}
