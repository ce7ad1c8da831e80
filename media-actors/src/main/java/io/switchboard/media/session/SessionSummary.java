package io.switchboard.media.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import io.switchboard.media.cluster.CborSerializable;
import java.util.List;

/**
 * What {@code session.list}, {@code session.info} and the HTTP API show of a session.
 *
 * @param state {@code controlled} while a connection controls it, {@code orphaned} otherwise
 * @param endpoints the session's endpoints ({@code session.info} only; empty in listings)
 */
public record SessionSummary(
    String sessionId, String app, String state, long createdAtMs, int endpointCount, long lastSeq, JsonNode customData, String node,
    List<EndpointSummary> endpoints)
    implements CborSerializable {
  public SessionSummary {
    customData = customData == null ? NullNode.getInstance() : customData;
    endpoints = endpoints == null ? List.of() : List.copyOf(endpoints);
  }
}
