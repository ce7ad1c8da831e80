package io.switchboard.media.rtp;

import java.nio.ByteBuffer;
import java.util.HexFormat;

final class Hex {
  private Hex() {}

  /** The bytes of {@code hex} (spaces ignored) placed at {@code offset} in a larger buffer filled with junk. */
  static ByteBuffer at(int offset, String hex) {
    byte[] bytes = HexFormat.of().parseHex(hex.replaceAll("\\s+", ""));
    ByteBuffer buf = ByteBuffer.allocate(offset + bytes.length + 7);
    for (int i = 0; i < buf.capacity(); i++) buf.put(i, (byte) 0xEE);
    buf.put(offset, bytes);
    return buf;
  }

  static int length(String hex) {
    return hex.replaceAll("\\s+", "").length() / 2;
  }
}
