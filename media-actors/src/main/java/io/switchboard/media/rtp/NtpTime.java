package io.switchboard.media.rtp;

/**
 * NTP timestamps (RFC 5905: seconds since 1900 in the high 32 bits, fraction in the low 32) for RTCP
 * sender reports, taken from the wall clock once and advanced by {@link System#nanoTime()} so that a
 * clock step during a call cannot make round-trip times jump.
 */
public final class NtpTime {

  private static final long SECONDS_1900_TO_1970 = 2_208_988_800L;
  private static final long BASE_NANOS = System.nanoTime();
  private static final long BASE_NTP = fromUnixNanos(System.currentTimeMillis() * 1_000_000L);

  private NtpTime() {}

  /** The 64-bit NTP timestamp of the monotonic instant {@code nanos}. */
  public static long at(long nanos) {
    return BASE_NTP + toNtpUnits(nanos - BASE_NANOS);
  }

  /** The middle 32 bits, the compact form RTCP's LSR field and round-trip arithmetic use (1/65536 s). */
  public static long middle32(long ntp) {
    return (ntp >>> 16) & 0xffffffffL;
  }

  /** A duration in the 1/65536 s units of DLSR. */
  public static long toShortUnits(long nanos) {
    return nanos * 65_536L / 1_000_000_000L;
  }

  private static long fromUnixNanos(long unixNanos) {
    long seconds = unixNanos / 1_000_000_000L + SECONDS_1900_TO_1970;
    return (seconds << 32) + toNtpUnits(unixNanos % 1_000_000_000L);
  }

  /** Nanoseconds (less than about 136 years) in 2^-32 s units. */
  private static long toNtpUnits(long nanos) {
    long seconds = nanos / 1_000_000_000L;
    long rest = nanos % 1_000_000_000L;
    return (seconds << 32) + (rest << 32) / 1_000_000_000L;
  }
}
