package io.switchboard.node;

import org.junit.jupiter.api.BeforeAll;

/** {@link RelayTests} on a node with the shipped media I/O: native where the build has the library. */
class RtpRelayTest extends RelayTests {

  @BeforeAll
  static void start() {
    node = startNode(31000, "");
  }
}
