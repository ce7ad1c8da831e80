package io.switchboard.control.api;

import io.switchboard.media.cluster.ErrorCode;

/** A request that fails with a protocol error code; thrown by parsing and parameter checks, caught per request. */
public final class ProtocolError extends RuntimeException {

  private final ErrorCode code;

  public ProtocolError(ErrorCode code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  public ErrorCode code() {
    return code;
  }
}
