package io.switchboard.node;

import org.junit.jupiter.api.BeforeAll;

/** {@link RelayTests} on a node with the shipped media I/O: native where the build has the library. */
class RtpRelayTest extends RelayTests {

  @BeforeAll
  static void start() {
    node = TestNode.start("""
        switchboard.media.port-min = 31000
        switchboard.media.port-max = 31007
        switchboard.media.media-timeout = 1s
        switchboard.media.rtcp-interval = 400ms
        switchboard.session.disconnect-timeout = 500ms
        """);
  }
}
