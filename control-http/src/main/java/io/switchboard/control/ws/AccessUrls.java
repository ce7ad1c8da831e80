package io.switchboard.control.ws;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The URLs a new session is reachable at: {@code media_session_access_url} (and its https variant when
 * TLS is on) carry the session id and its secret, as in seed 001; {@code control_url} is where a
 * controller attaches. The bases are the configured public URLs, since the bind address is often not
 * what clients use; when none is configured they are derived from the bound address once it is known
 * (the configured port may be 0).
 */
public final class AccessUrls {

  public static final String ACCESS_PREFIX = "request";

  private volatile String httpBase;
  private volatile String httpsBase;

  public AccessUrls(String httpBase, String httpsBase) {
    this.httpBase = blankToNull(httpBase);
    this.httpsBase = blankToNull(httpsBase);
  }

  /** Fills in the bases not configured, from the bound ports ({@code httpsPort} 0: no TLS). */
  public void bound(String host, int httpPort, int httpsPort) {
    String h = host.contains(":") ? "[" + host + "]" : host;
    if (httpBase == null) httpBase = "http://" + h + ":" + httpPort;
    if (httpsBase == null && httpsPort > 0) httpsBase = "https://" + h + ":" + httpsPort;
  }

  /** Adds the URL fields of a created session to {@code result}. */
  public void describe(String sessionId, String secret, ObjectNode result) {
    String path = "/" + ACCESS_PREFIX + "/" + sessionId + "/" + secret;
    result.put("media_session_access_url", httpBase + path);
    if (httpsBase != null) result.put("media_session_access_secure_url", httpsBase + path);
    result.put("control_url", httpBase.replaceFirst("^http", "ws") + "/control");
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.replaceAll("/+$", "");
  }
}
