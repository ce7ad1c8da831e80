package io.switchboard.media.source;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code endpoint.create_tone} asks for, checked and resolved to frequencies and a cadence.
 *
 * <p>Cadences are the national call-progress tones of ITU-T E.180 Supplement 2 for the countries
 * listed; {@code eu} is the harmonised European 425 Hz plan (CEPT/ETSI TR 101 041).
 *
 * @param frequencies the frequencies summed while the tone is on (Hz)
 * @param cadenceMs on, off, on, off … in milliseconds, repeated; empty for a steady tone
 * @param durationMs how long the tone plays in all, or 0 for as long as the endpoint lives
 */
public record ToneSpec(String tone, double[] frequencies, int[] cadenceMs, long durationMs) {

  public static final List<String> TONES = List.of("ringback", "ringing", "busy", "beep", "sine");
  public static final List<String> COUNTRIES = List.of("us", "eu", "uk", "de", "fr");

  private record Plan(double[] frequencies, int[] cadenceMs) {}

  private static final Map<String, Plan> RINGBACK = Map.of(
      "us", new Plan(new double[] {440, 480}, new int[] {2000, 4000}),
      "eu", new Plan(new double[] {425}, new int[] {1000, 4000}),
      "uk", new Plan(new double[] {400, 450}, new int[] {400, 200, 400, 2000}),
      "de", new Plan(new double[] {425}, new int[] {1000, 4000}),
      "fr", new Plan(new double[] {440}, new int[] {1500, 3500}));

  private static final Map<String, Plan> BUSY = Map.of(
      "us", new Plan(new double[] {480, 620}, new int[] {500, 500}),
      "eu", new Plan(new double[] {425}, new int[] {500, 500}),
      "uk", new Plan(new double[] {400}, new int[] {375, 375}),
      "de", new Plan(new double[] {425}, new int[] {480, 480}),
      "fr", new Plan(new double[] {440}, new int[] {500, 500}));

  private static final long BEEP_MS = 250;
  private static final double DEFAULT_FREQUENCY = 1000;
  private static final long MAX_DURATION_MS = 24L * 3600 * 1000;

  /**
   * @param frequency for {@code sine} and {@code beep} only (default 1000 Hz)
   * @param durationMs null: a beep lasts 250 ms, the others until removed
   * @param country null: {@code us}
   * @throws IllegalArgumentException with a message for the client when a parameter is wrong
   */
  public static ToneSpec of(String tone, Double frequency, Long durationMs, String country) {
    if (tone == null || !TONES.contains(tone)) {
      throw new IllegalArgumentException("\"tone\" must be one of " + String.join(", ", TONES) + ", not " + tone);
    }
    String c = country == null ? "us" : country.toLowerCase(Locale.ROOT);
    if (!COUNTRIES.contains(c)) {
      throw new IllegalArgumentException("\"country\" must be one of " + String.join(", ", COUNTRIES) + ", not " + country);
    }
    boolean tunable = tone.equals("sine") || tone.equals("beep");
    if (frequency != null && !tunable) {
      throw new IllegalArgumentException("\"frequency\" applies to sine and beep; " + tone + " follows the country's plan");
    }
    if (frequency != null && !(frequency >= 20 && frequency <= 3900)) {
      throw new IllegalArgumentException("\"frequency\" must be between 20 and 3900 Hz (8 kHz audio), not " + frequency);
    }
    if (durationMs != null && (durationMs < 20 || durationMs > MAX_DURATION_MS)) {
      throw new IllegalArgumentException("\"duration_ms\" must be between 20 and " + MAX_DURATION_MS + ", not " + durationMs);
    }
    long duration = durationMs != null ? durationMs : tone.equals("beep") ? BEEP_MS : 0;
    Plan plan = switch (tone) {
      case "ringback", "ringing" -> RINGBACK.get(c);
      case "busy" -> BUSY.get(c);
      default -> new Plan(new double[] {frequency != null ? frequency : DEFAULT_FREQUENCY}, new int[0]);
    };
    return new ToneSpec(tone, plan.frequencies(), plan.cadenceMs(), duration);
  }
}
