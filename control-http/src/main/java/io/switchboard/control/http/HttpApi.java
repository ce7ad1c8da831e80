package io.switchboard.control.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.switchboard.control.api.Json;
import io.switchboard.control.api.ProtocolError;
import io.switchboard.control.gateway.SessionGateway;
import io.switchboard.control.ws.AccessUrls;
import io.switchboard.control.ws.ControlWebSocket;
import io.switchboard.media.cluster.ErrorCode;
import io.switchboard.media.cluster.NodeKey;
import io.switchboard.media.metrics.SwitchboardMetrics;
import io.switchboard.media.session.CallSession;
import io.switchboard.media.session.Caller;
import io.switchboard.media.session.SessionDirectory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The HTTP surface of a gateway node: the session API ({@code /api/v1}), the sessions' access URLs
 * ({@code /request/{session}/{secret}}, seed 001), the control WebSocket ({@code /control}) and the
 * operational endpoints ({@code /health}, {@code /ready}, {@code /metrics}).
 */
public final class HttpApi extends AllDirectives {

  private final ActorSystem<?> system;
  private final SessionGateway gateway;
  private final ControlWebSocket control;
  private final ApiKeys keys;
  private final AccessUrls urls;
  private final ControlSettings settings;
  private final SwitchboardMetrics metrics;
  private final BooleanSupplier bound;

  public HttpApi(ActorSystem<?> system, SessionGateway gateway, ControlWebSocket control, ApiKeys keys,
                 AccessUrls urls, ControlSettings settings, BooleanSupplier bound) {
    this.system = system;
    this.gateway = gateway;
    this.control = control;
    this.keys = keys;
    this.urls = urls;
    this.settings = settings;
    this.metrics = SwitchboardMetrics.get(system);
    this.bound = bound;
  }

  public Route routes() {
    return concat(
        path("health", () -> get(() -> complete(json(StatusCodes.OK, Json.object().put("status", "ok"))))),
        path("ready", () -> get(this::ready)),
        path("metrics", () -> get(this::metrics)),
        pathPrefix(AccessUrls.ACCESS_PREFIX, () -> pathPrefix(PathMatchers.segment().slash(PathMatchers.segment()),
            (sessionId, secret) -> extractRequest(request -> accessUrl(sessionId, secret, request)))),
        path("control", () -> authenticated(grant -> handleWebSocketMessages(control.flow(grant.app())))),
        pathPrefix(PathMatchers.segment("api").slash("v1"), () -> authenticated(grant -> concat(
            path("sessions", () -> concat(
                post(() -> entity(org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller.entityToString(),
                    body -> createSession(grant, body))),
                get(() -> listSessions(grant)))),
            path(PathMatchers.segment("sessions").slash(PathMatchers.segment()), id -> concat(
                get(() -> answer("session", gateway.info(id, Caller.api(grant.app())), Json::tree)),
                delete(() -> answer("session", gateway.destroy(id, Caller.api(grant.app()), "http.delete"),
                    done -> Json.object().put("session_id", id))))),
            path("cluster", () -> get(this::clusterState)))))
    );
  }

  // ---- authentication ----------------------------------------------------------------------------

  /** Bearer token from the Authorization header, or the access_token query parameter for browsers. */
  private Route authenticated(Function<ApiKeys.Grant, Route> inner) {
    return optionalHeaderValueByName("Authorization", header -> parameterOptional("access_token", query -> {
      Optional<String> token = header
          .filter(h -> h.regionMatches(true, 0, "Bearer ", 0, 7))
          .map(h -> h.substring(7).trim())
          .or(() -> query);
      return keys.authenticate(token)
          .map(inner)
          .orElseGet(() -> {
            metrics.httpRequests.labelValues("auth", "401").inc();
            return complete(errorResponse(StatusCodes.UNAUTHORIZED, ErrorCode.UNAUTHORIZED, "a valid API key is required"));
          });
    }));
  }

  // ---- session API -------------------------------------------------------------------------------

  private Route createSession(ApiKeys.Grant grant, String body) {
    String app;
    JsonNode customData;
    try {
      JsonNode params = body.isBlank() ? Json.object() : Json.MAPPER.readTree(body);
      if (!params.isObject()) throw new ProtocolError(ErrorCode.INVALID_PARAMS, "the body must be a JSON object");
      JsonNode appNode = params.get("app");
      if (appNode != null && !appNode.isNull() && !appNode.isTextual()) {
        throw new ProtocolError(ErrorCode.INVALID_PARAMS, "parameter \"app\" must be a string");
      }
      app = appNode == null || appNode.isNull() ? null : appNode.asText();
      JsonNode cd = params.get("custom_data");
      customData = cd == null || cd.isNull() ? null : cd;
    } catch (JsonProcessingException e) {
      return complete(fail("create", new ProtocolError(ErrorCode.PARSE_ERROR, "body is not valid JSON: " + e.getOriginalMessage())));
    } catch (ProtocolError e) {
      return complete(fail("create", e));
    }
    CompletionStage<SessionGateway.Started> starting;
    try {
      starting = gateway.start(grant.app(), app, customData, null);
    } catch (ProtocolError e) {
      return complete(fail("create", e));
    }
    return answer("create", starting, started -> {
      ObjectNode result = Json.object().put("session_id", started.sessionId());
      urls.describe(started.sessionId(), started.accessSecret(), result);
      return result;
    });
  }

  private Route listSessions(ApiKeys.Grant grant) {
    return answer("list", gateway.list(grant.app()), sessions -> {
      ObjectNode result = Json.object();
      result.set("sessions", Json.tree(sessions));
      return result;
    });
  }

  private Route clusterState() {
    Cluster cluster = Cluster.get(system);
    ObjectNode result = Json.object();
    result.put("self", cluster.selfMember().address().toString());
    ArrayNode members = result.putArray("members");
    cluster.state().getMembers().forEach(m -> {
      ObjectNode node = members.addObject()
          .put("address", m.address().toString())
          .put("node_key", NodeKey.of(m))
          .put("status", m.status().toString());
      ArrayNode roles = node.putArray("roles");
      m.getRoles().stream().filter(r -> !r.startsWith("dc-")).sorted().forEach(roles::add);
    });
    return complete(json(StatusCodes.OK, result));
  }

  // ---- access URL (seed 001) -----------------------------------------------------------------------

  private Route accessUrl(String sessionId, String secret, HttpRequest request) {
    return withSizeLimit(settings.maxBodySize(), () -> entity(
        org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller.entityToString(), content -> {
          Map<String, String> headers = new LinkedHashMap<>();
          for (HttpHeader h : request.getHeaders()) headers.merge(h.name(), h.value(), (a, b) -> a + ", " + b);
          if (!request.entity().isKnownEmpty()) headers.putIfAbsent("Content-Type", request.entity().getContentType().toString());
          CompletionStage<CallSession.HttpAnswer> answer = gateway.httpRequest(
              sessionId, secret, request.method().name(), request.getUri().path(), headers, content);
          return onComplete(answer, result -> {
            if (result.isSuccess()) {
              metrics.httpRequests.labelValues("access", String.valueOf(result.get().status())).inc();
              return complete(toResponse(result.get()));
            }
            ProtocolError error = SessionGateway.convertError(result.failed().get());
            if (error.code() == ErrorCode.SESSION_NOT_FOUND) {
              metrics.httpRequests.labelValues("access", "404").inc();
              return complete(StatusCodes.NOT_FOUND, "Not Found");
            }
            return complete(fail("access", error));
          });
        }));
  }

  private static HttpResponse toResponse(CallSession.HttpAnswer answer) {
    ContentType type = ContentTypes.APPLICATION_OCTET_STREAM;
    java.util.List<HttpHeader> headers = new java.util.ArrayList<>();
    for (Map.Entry<String, String> h : answer.headers().entrySet()) {
      String name = h.getKey().toLowerCase(java.util.Locale.ROOT);
      if (name.equals("content-type")) {
        type = ContentTypes.parse(h.getValue());
      } else if (!name.equals("content-length") && !name.equals("transfer-encoding")) {
        headers.add(RawHeader.create(h.getKey(), h.getValue()));
      }
    }
    return HttpResponse.create()
        .withStatus(statusOf(answer.status()))
        .addHeaders(headers)
        .withEntity(HttpEntities.create(type, answer.body().getBytes(StandardCharsets.UTF_8)));
  }

  private static StatusCode statusOf(int code) {
    return StatusCodes.lookup(code).orElseGet(() -> StatusCodes.custom(code, "Status " + code, "", code >= 400, true));
  }

  // ---- operations --------------------------------------------------------------------------------

  private Route ready() {
    Cluster cluster = Cluster.get(system);
    boolean up = cluster.selfMember().status() == MemberStatus.up();
    boolean draining = SessionDirectory.get(system).draining();
    boolean ready = up && !draining && bound.getAsBoolean();
    ObjectNode body = Json.object().put("ready", ready).put("member_status", cluster.selfMember().status().toString())
        .put("draining", draining);
    return complete(json(ready ? StatusCodes.OK : StatusCodes.SERVICE_UNAVAILABLE, body));
  }

  private Route metrics() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
    try {
      new PrometheusTextFormatWriter(false).write(out, metrics.registry().scrape());
    } catch (IOException e) {
      throw new IllegalStateException("writing to memory cannot fail", e);
    }
    return complete(HttpResponse.create().withEntity(HttpEntities.create(
        ContentTypes.parse(PrometheusTextFormatWriter.CONTENT_TYPE), out.toByteArray())));
  }

  // ---- replies -----------------------------------------------------------------------------------

  private <T> Route answer(String route, CompletionStage<T> stage, Function<T, JsonNode> render) {
    return onComplete(stage, result -> {
      if (result.isSuccess()) {
        metrics.httpRequests.labelValues(route, "200").inc();
        return complete(json(StatusCodes.OK, render.apply(result.get())));
      }
      return complete(fail(route, SessionGateway.convertError(result.failed().get())));
    });
  }

  private HttpResponse fail(String route, ProtocolError error) {
    StatusCode status = switch (error.code()) {
      case SESSION_NOT_FOUND, NO_SESSION -> StatusCodes.NOT_FOUND;
      case UNAUTHORIZED -> StatusCodes.FORBIDDEN;
      case MAX_SESSIONS_REACHED, SHUTTING_DOWN -> StatusCodes.SERVICE_UNAVAILABLE;
      case SESSION_UNRESPONSIVE -> StatusCodes.GATEWAY_TIMEOUT;
      case INTERNAL_ERROR -> StatusCodes.INTERNAL_SERVER_ERROR;
      case INVALID_REQUEST -> route.equals("access") ? StatusCodes.TOO_MANY_REQUESTS : StatusCodes.BAD_REQUEST;
      default -> StatusCodes.BAD_REQUEST;
    };
    metrics.httpRequests.labelValues(route, String.valueOf(status.intValue())).inc();
    return errorResponse(status, error.code(), error.getMessage());
  }

  private static HttpResponse errorResponse(StatusCode status, ErrorCode code, String message) {
    ObjectNode body = Json.object();
    body.putObject("error").put("code", code.name()).put("message", message);
    return json(status, body);
  }

  private static HttpResponse json(StatusCode status, JsonNode body) {
    return HttpResponse.create().withStatus(status)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, Json.write(body)));
  }
}
