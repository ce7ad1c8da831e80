package io.switchboard.media.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.TextNode;
import com.typesafe.config.ConfigFactory;
import io.switchboard.media.cluster.ErrorCode;
import io.switchboard.media.cluster.Refusal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The session entity's state machine, driven directly with probes standing in for connections and the gateway. */
class CallSessionTest {

  static final ActorTestKit kit = ActorTestKit.create(ConfigFactory.parseString("""
      pekko.actor.provider = cluster
      pekko.remote.artery.canonical.port = 0
      """).withFallback(ActorTestKit.applicationTestConfig()));

  static final Duration LONG = Duration.ofMinutes(5);

  @AfterAll
  static void shutdown() {
    kit.shutdownTestKit();
  }

  static SessionSettings settings(Duration disconnect, Duration idle, Duration empty, int maxSessions) {
    return new SessionSettings(disconnect, idle, empty, maxSessions, 16, Duration.ofMillis(300), 2);
  }

  static String newId() {
    return "k1-" + UUID.randomUUID();
  }

  record Session(String id, ActorRef<CallSession.Command> ref) {}

  Session createControlled(SessionSettings settings, TestProbe<SessionEvent> controller) {
    String id = newId();
    var ref = kit.spawn(CallSession.create(id, settings));
    TestProbe<StatusReply<CallSession.Created>> reply = kit.createTestProbe();
    ref.tell(new CallSession.Create(new CallSession.SessionSpec("app1", TextNode.valueOf("cd"), "secret"),
        controller == null ? null : controller.ref(), reply.ref()));
    assertEquals(id, reply.receiveMessage().getValue().sessionId());
    return new Session(id, ref);
  }

  static <T> ErrorCode refusalOf(StatusReply<T> reply) {
    assertTrue(reply.isError(), "expected a refusal, got " + reply);
    return Refusal.from(reply.getError()).orElseThrow().code();
  }

  static String eventName(SessionEvent e) {
    return e.payload().eventName();
  }

  @Test
  void createdSessionSendsStartedAsItsFirstEvent() {
    TestProbe<SessionEvent> controller = kit.createTestProbe();
    Session s = createControlled(settings(LONG, Duration.ZERO, Duration.ZERO, 100), controller);
    SessionEvent started = controller.receiveMessage();
    assertEquals(1, started.seq());
    var payload = assertInstanceOf(EventPayload.AppStarted.class, started.payload());
    assertEquals(s.id(), payload.sessionId());
    assertEquals("app1", payload.app());
  }

  @Test
  void anUncreatedSessionAnswersNotFoundAndStops() {
    var ref = kit.spawn(CallSession.create(newId(), settings(LONG, Duration.ZERO, Duration.ZERO, 100)));
    TestProbe<StatusReply<SessionSummary>> reply = kit.createTestProbe();
    ref.tell(new CallSession.GetInfo(Caller.api(null), reply.ref()));
    assertEquals(ErrorCode.SESSION_NOT_FOUND, refusalOf(reply.receiveMessage()));
    reply.expectTerminated(ref);
  }

  @Test
  void attachIsRefusedWhileControlledAndAllowedOnceOrphaned() {
    TestProbe<SessionEvent> first = kit.createTestProbe();
    Session s = createControlled(settings(LONG, Duration.ZERO, Duration.ZERO, 100), first);
    first.receiveMessage();

    TestProbe<SessionEvent> second = kit.createTestProbe();
    TestProbe<StatusReply<CallSession.Attached>> reply = kit.createTestProbe();
    s.ref().tell(new CallSession.Attach(Caller.connection(second.ref(), null), -1, reply.ref()));
    assertEquals(ErrorCode.SESSION_NOT_ORPHANED, refusalOf(reply.receiveMessage()));
    s.ref().tell(new CallSession.Attach(Caller.connection(first.ref(), null), -1, reply.ref()));
    assertEquals(ErrorCode.SESSION_ALREADY_BOUND, refusalOf(reply.receiveMessage()));

    first.stop();
    // orphaned now: the next attach wins, with the events after seq 1 replayed (session.orphaned)
    var attached = awaitAttach(s, second, 1);
    assertEquals(List.of("session.orphaned"), attached.replay().stream().map(CallSessionTest::eventName).toList());
    assertEquals(0, attached.missed());
  }

  private CallSession.Attached awaitAttach(Session s, TestProbe<SessionEvent> controller, long lastSeq) {
    TestProbe<StatusReply<CallSession.Attached>> reply = kit.createTestProbe();
    return reply.awaitAssert(Duration.ofSeconds(3), () -> {
      s.ref().tell(new CallSession.Attach(Caller.connection(controller.ref(), null), lastSeq, reply.ref()));
      StatusReply<CallSession.Attached> r = reply.receiveMessage();
      assertTrue(r.isSuccess(), "attach refused: " + r);
      return r.getValue();
    });
  }

  @Test
  void orphanedSessionDiesAfterTheDisconnectTimeout() {
    TestProbe<SessionEvent> controller = kit.createTestProbe();
    Session s = createControlled(settings(Duration.ofMillis(200), Duration.ZERO, Duration.ZERO, 100), controller);
    controller.stop();
    kit.createTestProbe().expectTerminated(s.ref(), Duration.ofSeconds(3));
  }

  @Test
  void sessionStartedWithoutControllerIsOrphanedFromBirthAndKeepsStartedForReplay() {
    Session s = createControlled(settings(LONG, Duration.ZERO, Duration.ZERO, 100), null);
    TestProbe<SessionEvent> controller = kit.createTestProbe();
    var attached = awaitAttach(s, controller, 0);
    assertEquals(List.of("app.started"), attached.replay().stream().map(CallSessionTest::eventName).toList());
  }

  @Test
  void idleSessionIsDestroyedWithCriticalIdleTimeoutThenTermination() {
    TestProbe<SessionEvent> controller = kit.createTestProbe();
    Session s = createControlled(settings(LONG, Duration.ofMillis(300), Duration.ZERO, 100), controller);
    controller.receiveMessage(); // started
    SessionEvent idle = controller.receiveMessage(Duration.ofSeconds(3));
    assertEquals("session.idle_timeout", eventName(idle));
    assertTrue(idle.payload().critical());
    assertEquals("app.terminating", eventName(controller.receiveMessage()));
    SessionEvent terminated = controller.receiveMessage();
    assertEquals("idle_timeout", ((EventPayload.AppTerminated) terminated.payload()).reason());
    controller.expectTerminated(s.ref());
  }

  @Test
  void commandsKeepASessionFromGoingIdle() {
    TestProbe<SessionEvent> controller = kit.createTestProbe();
    Session s = createControlled(settings(LONG, Duration.ofMillis(600), Duration.ZERO, 100), controller);
    controller.receiveMessage();
    TestProbe<StatusReply<SessionSummary>> info = kit.createTestProbe();
    for (int i = 0; i < 6; i++) {
      sleep(200);
      s.ref().tell(new CallSession.GetInfo(Caller.connection(controller.ref(), null), info.ref()));
      assertTrue(info.receiveMessage().isSuccess());
    }
    controller.expectNoMessage(Duration.ofMillis(100));
    assertEquals("session.idle_timeout", eventName(controller.receiveMessage(Duration.ofSeconds(3))));
  }

  @Test
  void emptySessionIsDestroyedAfterTheEmptyTimeout() {
    TestProbe<SessionEvent> controller = kit.createTestProbe();
    Session s = createControlled(settings(LONG, Duration.ZERO, Duration.ofMillis(200), 100), controller);
    controller.receiveMessage();
    SessionEvent empty = controller.receiveMessage(Duration.ofSeconds(3));
    assertEquals("session.empty_timeout", eventName(empty));
    assertEquals(0, ((EventPayload.SessionEmptyTimeout) empty.payload()).emptyTimeoutSecs());
    assertEquals("app.terminating", eventName(controller.receiveMessage()));
    assertEquals("app.terminated", eventName(controller.receiveMessage()));
    controller.expectTerminated(s.ref());
  }

  @Test
  void httpRequestIsAnEventAndTheControllersAnswerGoesBack() {
    TestProbe<SessionEvent> controller = kit.createTestProbe();
    Session s = createControlled(settings(LONG, Duration.ZERO, Duration.ZERO, 100), controller);
    controller.receiveMessage();
    TestProbe<StatusReply<CallSession.HttpAnswer>> http = kit.createTestProbe();
    s.ref().tell(new CallSession.HandleHttpRequest("secret", "POST", "/x", Map.of("A", "b"), "hello", http.ref()));
    var req = (EventPayload.AppHttpRequest) controller.receiveMessage().payload();
    assertEquals("hello", req.content());
    assertEquals("POST", req.method());

    TestProbe<StatusReply<Done>> done = kit.createTestProbe();
    s.ref().tell(new CallSession.RespondHttp(Caller.connection(controller.ref(), null), req.requestId(), 201,
        Map.of("X-Y", "z"), "made", done.ref()));
    assertTrue(done.receiveMessage().isSuccess());
    CallSession.HttpAnswer answer = http.receiveMessage().getValue();
    assertEquals(201, answer.status());
    assertEquals("made", answer.body());
    assertTrue(answer.fromController());

    // a second answer to the same request is refused
    s.ref().tell(new CallSession.RespondHttp(Caller.connection(controller.ref(), null), req.requestId(), 200,
        Map.of(), "", done.ref()));
    assertEquals(ErrorCode.INVALID_PARAMS, refusalOf(done.receiveMessage()));
  }

  @Test
  void unansweredHttpRequestGetsTheDefaultReply() {
    TestProbe<SessionEvent> controller = kit.createTestProbe();
    Session s = createControlled(settings(LONG, Duration.ZERO, Duration.ZERO, 100), controller);
    TestProbe<StatusReply<CallSession.HttpAnswer>> http = kit.createTestProbe();
    s.ref().tell(new CallSession.HandleHttpRequest("secret", "GET", "/", Map.of(), "", http.ref()));
    CallSession.HttpAnswer answer = http.receiveMessage(Duration.ofSeconds(3)).getValue();
    assertEquals(202, answer.status());
    assertFalse(answer.fromController());
    assertTrue(answer.body().contains(s.id()));
  }

  @Test
  void wrongSecretIsNotFoundAndRaisesNoEvent() {
    TestProbe<SessionEvent> controller = kit.createTestProbe();
    Session s = createControlled(settings(LONG, Duration.ZERO, Duration.ZERO, 100), controller);
    controller.receiveMessage();
    TestProbe<StatusReply<CallSession.HttpAnswer>> http = kit.createTestProbe();
    s.ref().tell(new CallSession.HandleHttpRequest("secreT", "GET", "/", Map.of(), "", http.ref()));
    assertEquals(ErrorCode.SESSION_NOT_FOUND, refusalOf(http.receiveMessage()));
    controller.expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void pendingHttpRequestsAreBounded() {
    TestProbe<SessionEvent> controller = kit.createTestProbe();
    Session s = createControlled(settings(LONG, Duration.ZERO, Duration.ZERO, 100), controller);
    TestProbe<StatusReply<CallSession.HttpAnswer>> http = kit.createTestProbe();
    for (int i = 0; i < 3; i++) s.ref().tell(new CallSession.HandleHttpRequest("secret", "GET", "/", Map.of(), "", http.ref()));
    assertEquals(ErrorCode.INVALID_REQUEST, refusalOf(http.receiveMessage()));
  }

  @Test
  void onlyTheControllerOrAKeyOfTheAppMayDestroy() {
    TestProbe<SessionEvent> controller = kit.createTestProbe();
    Session s = createControlled(settings(LONG, Duration.ZERO, Duration.ZERO, 100), controller);
    controller.receiveMessage();
    TestProbe<StatusReply<Done>> done = kit.createTestProbe();
    TestProbe<SessionEvent> stranger = kit.createTestProbe();
    s.ref().tell(new CallSession.Destroy(Caller.connection(stranger.ref(), null), "x", done.ref()));
    assertEquals(ErrorCode.SESSION_NOT_FOUND, refusalOf(done.receiveMessage()));
    s.ref().tell(new CallSession.Destroy(Caller.api("other-app"), "x", done.ref()));
    assertEquals(ErrorCode.SESSION_NOT_FOUND, refusalOf(done.receiveMessage()));
    controller.expectNoMessage(Duration.ofMillis(100));

    s.ref().tell(new CallSession.Destroy(Caller.api("app1"), "http.delete", done.ref()));
    assertEquals("app.terminating", eventName(controller.receiveMessage()));
    assertEquals("app.terminated", eventName(controller.receiveMessage()));
    assertTrue(done.receiveMessage().isSuccess());
    done.expectTerminated(s.ref());
  }

  @Test
  void maxSessionsIsEnforcedPerNodeAndFreedWhenSessionsEnd() {
    SessionDirectory directory = SessionDirectory.get(kit.system());
    int before = directory.size();
    SessionSettings settings = settings(LONG, Duration.ZERO, Duration.ZERO, before + 1);
    TestProbe<SessionEvent> controller = kit.createTestProbe();
    Session first = createControlled(settings, controller);

    var ref = kit.spawn(CallSession.create(newId(), settings));
    TestProbe<StatusReply<CallSession.Created>> reply = kit.createTestProbe();
    ref.tell(new CallSession.Create(new CallSession.SessionSpec(null, null, "s"), controller.ref(), reply.ref()));
    assertEquals(ErrorCode.MAX_SESSIONS_REACHED, refusalOf(reply.receiveMessage()));

    TestProbe<StatusReply<Done>> done = kit.createTestProbe();
    first.ref().tell(new CallSession.Destroy(Caller.api(null), "x", done.ref()));
    done.receiveMessage();
    done.expectTerminated(first.ref());
    reply.awaitAssert(() -> {
      assertEquals(before, directory.size());
      return null;
    });
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

}
