package io.switchboard.media.cluster;

import java.util.Optional;
import org.apache.pekko.pattern.StatusReply;

/**
 * A command refused by an entity: an {@link ErrorCode} plus a human-readable reason.
 *
 * <p>Travels inside {@link StatusReply#error(String)} as {@code "CODE: reason"} because Pekko serialises
 * only the message of a {@code StatusReply} error across nodes; any other Throwable would need Java
 * serialization, which is off.
 */
public record Refusal(ErrorCode code, String message) {

  private static final String SEPARATOR = ": ";

  public static <T> StatusReply<T> reply(ErrorCode code, String message) {
    return StatusReply.error(code.name() + SEPARATOR + message);
  }

  /** The refusal carried by a failed ask, or empty when the failure was not a refusal (a timeout, a bug). */
  public static Optional<Refusal> from(Throwable failure) {
    Throwable t = failure;
    while (t != null && !(t instanceof StatusReply.ErrorMessage)) {
      t = t.getCause();
    }
    if (t == null) return Optional.empty();
    String text = t.getMessage();
    int sep = text.indexOf(SEPARATOR);
    if (sep <= 0) return Optional.empty();
    try {
      return Optional.of(new Refusal(ErrorCode.valueOf(text.substring(0, sep)), text.substring(sep + SEPARATOR.length())));
    } catch (IllegalArgumentException notACode) {
      return Optional.empty();
    }
  }
}
