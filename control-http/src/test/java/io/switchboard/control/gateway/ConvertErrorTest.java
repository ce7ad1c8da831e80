package io.switchboard.control.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchboard.control.api.ProtocolError;
import io.switchboard.media.cluster.ErrorCode;
import io.switchboard.media.cluster.Refusal;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.pattern.AskTimeoutException;
import org.junit.jupiter.api.Test;

class ConvertErrorTest {

  @Test
  void refusalsKeepTheirCodeAndReason() {
    Throwable refusal = Refusal.reply(ErrorCode.SESSION_NOT_ORPHANED, "taken").getError();
    ProtocolError e = SessionGateway.convertError(new CompletionException(refusal));
    assertEquals(ErrorCode.SESSION_NOT_ORPHANED, e.code());
    assertEquals("taken", e.getMessage());
  }

  @Test
  void timeoutsMeanTheSessionIsUnresponsive() {
    assertEquals(ErrorCode.SESSION_UNRESPONSIVE, SessionGateway.convertError(new AskTimeoutException("late")).code());
    assertEquals(ErrorCode.SESSION_UNRESPONSIVE,
        SessionGateway.convertError(new CompletionException(new TimeoutException())).code());
  }

  @Test
  void protocolErrorsPassThroughAndAnythingElseIsInternal() {
    ProtocolError own = new ProtocolError(ErrorCode.SESSION_NOT_FOUND, "gone");
    assertEquals(own, SessionGateway.convertError(new CompletionException(own)));
    assertEquals(ErrorCode.INTERNAL_ERROR, SessionGateway.convertError(new IllegalStateException("bug")).code());
    assertEquals(ErrorCode.INTERNAL_ERROR,
        SessionGateway.convertError(new RuntimeException(new org.apache.pekko.pattern.StatusReply.ErrorMessage("no code here"))).code(),
        "an error message without a known code is not blamed on the client");
  }
}
