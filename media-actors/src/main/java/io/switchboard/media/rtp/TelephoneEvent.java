package io.switchboard.media.rtp;

import java.nio.ByteBuffer;

/**
 * The RFC 4733 §2.3 telephone-event payload: event (8 bits), E (end), R, volume (6 bits), duration
 * (16 bits, in timestamp units). Digits 0–9, *, #, A–D are events 0–15.
 */
public final class TelephoneEvent {

  public static final int LENGTH = 4;
  private static final String DIGITS = "0123456789*#ABCD";

  private TelephoneEvent() {}

  public static int event(ByteBuffer buf, int payloadOffset) { return buf.get(payloadOffset) & 0xff; }

  public static boolean end(ByteBuffer buf, int payloadOffset) { return (buf.get(payloadOffset + 1) & 0x80) != 0; }

  public static int volume(ByteBuffer buf, int payloadOffset) { return buf.get(payloadOffset + 1) & 0x3f; }

  public static int duration(ByteBuffer buf, int payloadOffset) { return buf.getShort(payloadOffset + 2) & 0xffff; }

  /** The digit of a DTMF event, or 0 when the event is not one (fax tones and the like). */
  public static char digit(int event) {
    return event >= 0 && event < DIGITS.length() ? DIGITS.charAt(event) : 0;
  }

  /** The event code of a digit, or -1 when it is not one of 0–9 * # A–D. */
  public static int eventOf(char digit) {
    return DIGITS.indexOf(Character.toUpperCase(digit));
  }

  public static void write(ByteBuffer out, int at, int event, boolean end, int volume, int duration) {
    out.put(at, (byte) event);
    out.put(at + 1, (byte) ((end ? 0x80 : 0) | (volume & 0x3f)));
    out.putShort(at + 2, (short) duration);
  }
}
