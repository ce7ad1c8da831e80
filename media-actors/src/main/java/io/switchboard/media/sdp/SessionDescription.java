package io.switchboard.media.sdp;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An SDP body (RFC 4566) reduced to what an audio relay negotiates: origin, connection address and the
 * m-sections. {@link #parse} is strict about structure (a clear {@link SdpException} names the line)
 * and lenient about attributes it does not use; {@link #write} produces CRLF-terminated SDP.
 */
public record SessionDescription(long sessionId, long version, String originAddress, String connection, List<MediaDescription> media) {

  /** Bodies larger than this are refused before parsing. */
  public static final int MAX_LENGTH = 16 * 1024;

  public SessionDescription {
    media = List.copyOf(media);
  }

  /** The first audio RTP section, the one this relay answers. */
  public MediaDescription audio() throws SdpException {
    for (MediaDescription m : media) if (m.isAudio() && m.port() > 0) return m;
    throw new SdpException("no audio m-line with a non-zero port");
  }

  public static SessionDescription parse(String text) throws SdpException {
    if (text == null || text.isBlank()) throw new SdpException("empty SDP");
    if (text.length() > MAX_LENGTH) throw new SdpException("SDP longer than " + MAX_LENGTH + " characters");
    String[] lines = text.split("\r?\n");
    if (!lines[0].trim().equals("v=0")) throw new SdpException("SDP must start with v=0");
    long sessionId = 0;
    long version = 0;
    String originAddress = null;
    String sessionConnection = null;
    // RFC 4566 §6: a direction attribute before the first m= line applies to every section without its own
    Direction sessionDirection = Direction.SENDRECV;
    List<MediaDescription> media = new ArrayList<>();
    Section current = null;
    for (int n = 0; n < lines.length; n++) {
      String line = lines[n].strip();
      if (line.isEmpty()) continue;
      if (line.length() < 2 || line.charAt(1) != '=') throw new SdpException("line " + (n + 1) + " is not <type>=<value>: " + clip(line));
      char type = line.charAt(0);
      String value = line.substring(2);
      switch (type) {
        case 'o' -> {
          String[] f = value.split(" ");
          if (f.length != 6) throw new SdpException("o= needs 6 fields: " + clip(line));
          sessionId = parseLong(f[1], line);
          version = parseLong(f[2], line);
          originAddress = f[5];
        }
        case 'c' -> {
          String address = connectionAddress(value, line);
          if (current == null) sessionConnection = address; else current.connection = address;
        }
        case 'm' -> {
          if (current != null) media.add(current.build(sessionConnection, sessionDirection));
          current = Section.parse(value, line);
        }
        case 'a' -> {
          if (current != null) {
            current.attribute(value, line);
          } else {
            switch (value) {
              case "sendrecv", "sendonly", "recvonly", "inactive" -> sessionDirection = Direction.parse(value);
              default -> { /* other session-level attributes are not needed to relay audio */ }
            }
          }
        }
        default -> { /* s=, t=, b=, i=, u=, e=, p=, z=, k=, r=: not needed for relaying */ }
      }
    }
    if (current != null) media.add(current.build(sessionConnection, sessionDirection));
    if (media.isEmpty()) throw new SdpException("no m= line");
    return new SessionDescription(sessionId, version, originAddress == null ? sessionConnection : originAddress,
        sessionConnection, media);
  }

  public String write() {
    StringBuilder sb = new StringBuilder(256);
    String ipVersion = connection != null && connection.contains(":") ? "IP6" : "IP4";
    sb.append("v=0\r\n");
    sb.append("o=switchboard ").append(sessionId).append(' ').append(version).append(" IN ").append(ipVersion).append(' ')
        .append(originAddress).append("\r\n");
    sb.append("s=switchboard\r\n");
    sb.append("c=IN ").append(ipVersion).append(' ').append(connection).append("\r\n");
    sb.append("t=0 0\r\n");
    for (MediaDescription m : media) {
      sb.append("m=").append(m.type()).append(' ').append(m.port()).append(' ').append(m.proto()).append(' ')
          .append(String.join(" ", m.formats())).append("\r\n");
      if (m.port() == 0) continue;
      for (RtpMap r : m.rtpMaps()) {
        sb.append("a=rtpmap:").append(r.rtpmapValue()).append("\r\n");
        if (r.fmtp() != null) sb.append("a=fmtp:").append(r.payloadType()).append(' ').append(r.fmtp()).append("\r\n");
      }
      if (m.ptime() > 0) sb.append("a=ptime:").append(m.ptime()).append("\r\n");
      if (m.rtcpMux()) sb.append("a=rtcp-mux\r\n");
      else if (m.rtcpPort() > 0) sb.append("a=rtcp:").append(m.rtcpPort()).append("\r\n");
      sb.append("a=").append(m.direction().attribute()).append("\r\n");
    }
    return sb.toString();
  }

  private static String connectionAddress(String value, String line) throws SdpException {
    String[] f = value.split(" ");
    if (f.length < 3 || !f[0].equals("IN") || !(f[1].equals("IP4") || f[1].equals("IP6"))) {
      throw new SdpException("c= must be IN IP4|IP6 <address>: " + clip(line));
    }
    String address = f[2];
    int slash = address.indexOf('/');
    return slash > 0 ? address.substring(0, slash) : address;
  }

  private static long parseLong(String s, String line) throws SdpException {
    try {
      return Long.parseUnsignedLong(s) & Long.MAX_VALUE;
    } catch (NumberFormatException e) {
      throw new SdpException("not a number in: " + clip(line));
    }
  }

  static int parseInt(String s, int max, String line) throws SdpException {
    try {
      int v = Integer.parseInt(s.trim());
      if (v < 0 || v > max) throw new SdpException("number out of range in: " + clip(line));
      return v;
    } catch (NumberFormatException e) {
      throw new SdpException("not a number in: " + clip(line));
    }
  }

  static String clip(String line) {
    return line.length() > 80 ? line.substring(0, 80) + "…" : line;
  }

  /** An m-section while it is being read. */
  private static final class Section {
    final String type;
    final int port;
    final String proto;
    final List<String> formats;
    final Map<Integer, RtpMap> maps = new HashMap<>();
    final Map<Integer, String> fmtps = new HashMap<>();
    String connection;
    /** The section's own direction attribute, or null when it has none (the session-level one applies). */
    Direction direction;
    int ptime;
    int rtcpPort;
    boolean rtcpMux;

    private Section(String type, int port, String proto, List<String> formats) {
      this.type = type;
      this.port = port;
      this.proto = proto;
      this.formats = formats;
    }

    static Section parse(String value, String line) throws SdpException {
      String[] f = value.split(" +");
      if (f.length < 4) throw new SdpException("m= needs <media> <port> <proto> <fmt>...: " + clip(line));
      String portField = f[1];
      int slash = portField.indexOf('/');
      int port = parseInt(slash > 0 ? portField.substring(0, slash) : portField, 65535, line);
      return new Section(f[0], port, f[2], List.of(f).subList(3, f.length));
    }

    void attribute(String value, String line) throws SdpException {
      int colon = value.indexOf(':');
      String name = colon < 0 ? value : value.substring(0, colon);
      String arg = colon < 0 ? "" : value.substring(colon + 1).trim();
      switch (name) {
        case "rtpmap" -> {
          String[] f = arg.split("[ /]");
          if (f.length < 3) throw new SdpException("a=rtpmap needs <pt> <name>/<clock>: " + clip(line));
          int pt = parseInt(f[0], 127, line);
          int clock = parseInt(f[2], 1_000_000, line);
          int channels = f.length > 3 ? parseInt(f[3], 8, line) : 1;
          maps.put(pt, new RtpMap(pt, f[1], clock, channels, null));
        }
        case "fmtp" -> {
          int space = arg.indexOf(' ');
          if (space < 0) throw new SdpException("a=fmtp needs <pt> <parameters>: " + clip(line));
          fmtps.put(parseInt(arg.substring(0, space), 127, line), arg.substring(space + 1).trim());
        }
        case "ptime" -> ptime = parseInt(arg, 1000, line);
        case "rtcp" -> rtcpPort = parseInt(arg.split(" ")[0], 65535, line);
        case "rtcp-mux" -> rtcpMux = true;
        case "sendrecv", "sendonly", "recvonly", "inactive" -> direction = Direction.parse(name);
        default -> { /* other attributes are not needed to relay audio */ }
      }
    }

    MediaDescription build(String sessionConnection, Direction sessionDirection) throws SdpException {
      String address = connection != null ? connection : sessionConnection;
      List<RtpMap> described = new ArrayList<>();
      boolean rtp = proto.equals("RTP/AVP") || proto.equals("RTP/AVPF");
      if (rtp) {
        for (String fmt : formats) {
          int pt = parseInt(fmt, 127, "m=" + type + " ... " + fmt);
          RtpMap map = maps.containsKey(pt) ? maps.get(pt) : RtpMap.staticType(pt);
          if (map != null) described.add(fmtps.containsKey(pt) ? map.withFmtp(fmtps.get(pt)) : map);
        }
      }
      if (port > 0 && address == null) throw new SdpException("m=" + type + " has no c= address");
      return new MediaDescription(type, port, proto, formats, described, address,
          direction != null ? direction : sessionDirection, ptime, rtcpPort, rtcpMux);
    }
  }
}
