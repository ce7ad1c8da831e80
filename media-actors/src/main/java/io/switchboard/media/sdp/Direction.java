package io.switchboard.media.sdp;

/** RFC 3264 §5.1 media direction, from the point of view of the side that writes it. */
public enum Direction {
  SENDRECV, SENDONLY, RECVONLY, INACTIVE;

  public boolean sends() {
    return this == SENDRECV || this == SENDONLY;
  }

  public boolean receives() {
    return this == SENDRECV || this == RECVONLY;
  }

  public String attribute() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** The direction an answerer may take when the offer says {@code this} and it wants {@code wanted}. */
  public Direction answer(Direction wanted) {
    boolean send = wanted.sends() && receives();
    boolean recv = wanted.receives() && sends();
    return of(send, recv);
  }

  public static Direction of(boolean sends, boolean receives) {
    return sends ? (receives ? SENDRECV : SENDONLY) : (receives ? RECVONLY : INACTIVE);
  }

  /** Parses a protocol or SDP direction name; null when it is none. */
  public static Direction parse(String s) {
    if (s == null) return null;
    return switch (s.toLowerCase(java.util.Locale.ROOT)) {
      case "sendrecv" -> SENDRECV;
      case "sendonly" -> SENDONLY;
      case "recvonly" -> RECVONLY;
      case "inactive" -> INACTIVE;
      default -> null;
    };
  }
}
