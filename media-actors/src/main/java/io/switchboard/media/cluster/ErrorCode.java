package io.switchboard.media.cluster;

/**
 * The stable error codes of the control protocol. Entities refuse commands with one of these (through
 * {@link Refusal}); the gateway puts the name on the wire unchanged. docs/protocol.md lists each.
 */
public enum ErrorCode {
  PARSE_ERROR,
  INVALID_REQUEST,
  UNKNOWN_METHOD,
  INVALID_PARAMS,
  UNAUTHORIZED,
  NO_SESSION,
  SESSION_ALREADY_BOUND,
  SESSION_NOT_FOUND,
  SESSION_NOT_ORPHANED,
  SESSION_UNRESPONSIVE,
  MAX_SESSIONS_REACHED,
  SHUTTING_DOWN,
  ENDPOINT_ERROR,
  TRANSFER_FAILED,
  INTERNAL_ERROR
}
