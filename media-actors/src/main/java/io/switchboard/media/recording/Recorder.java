package io.switchboard.media.recording;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's recorder: opens recording files inside {@code switchboard.recording.dir}, and runs the one
 * thread that moves packets from every recording's ring to its file, so no disk write ever happens on
 * the media thread or in an actor.
 */
public final class Recorder implements Extension {

  private static final Logger LOG = LoggerFactory.getLogger(Recorder.class);
  private static final long TICK_NANOS = 20_000_000L;

  private final RecordingSettings settings;
  private final Map<Recording, RecordingWriter> active = new ConcurrentHashMap<>();
  private final Thread thread;
  private volatile boolean running = true;

  private Recorder(ActorSystem<?> system) {
    this.settings = RecordingSettings.fromConfig(system.settings().config());
    this.thread = new Thread(this::run, "switchboard-recorder-" + system.name());
    thread.setDaemon(true);
    thread.start();
    system.getWhenTerminated().thenRun(this::stopAll);
  }

  public static final ExtensionId<Recorder> ID = new ExtensionId<>() {
    @Override
    public Recorder createExtension(ActorSystem<?> system) {
      return new Recorder(system);
    }
  };

  public static Recorder get(ActorSystem<?> system) {
    return system.registerExtension(ID);
  }

  public RecordingSettings settings() {
    return settings;
  }

  /**
   * Resolves a client's {@code file_path} inside the recording directory and creates the file.
   *
   * @throws IllegalArgumentException when the path leaves the directory (by {@code ..}, an absolute
   *     path elsewhere or a symbolic link), names a directory, or the file exists already
   * @throws IOException when the file cannot be created
   */
  public Recording start(String id, String endpointId, String filePath, Recording.Format format, boolean stereo)
      throws IOException {
    Path root = Files.createDirectories(settings.dir()).toRealPath();
    Path target = root.resolve(filePath).normalize();
    if (filePath.isBlank() || !target.startsWith(root) || target.equals(root)) {
      throw new IllegalArgumentException("\"file_path\" must name a file inside the recording directory: " + filePath);
    }
    // every directory on the way that exists already must lie inside, links resolved, before anything is created
    for (Path p = target.getParent(); p != null && p.startsWith(root); p = p.getParent()) {
      if (Files.exists(p) && !p.toRealPath().startsWith(root)) {
        throw new IllegalArgumentException("\"file_path\" leaves the recording directory through a link: " + filePath);
      }
    }
    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      throw new IllegalArgumentException("\"file_path\" exists already; recordings never overwrite: " + filePath);
    }
    Files.createDirectories(target.getParent());
    FileChannel file;
    try {
      file = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
    } catch (java.nio.file.FileAlreadyExistsException raced) {
      throw new IllegalArgumentException("\"file_path\" exists already; recordings never overwrite: " + filePath);
    }
    Recording recording = new Recording(id, endpointId, filePath, target, format, stereo, settings.queueBytes());
    try {
      RecordingWriter writer = format == Recording.Format.PCAP ? new PcapWriter(recording, file) : new WavWriter(recording, file);
      active.put(recording, writer);
    } catch (IOException e) {
      file.close();
      throw e;
    }
    return recording;
  }

  /**
   * Ends a recording: its taps stop taking packets, the recorder thread writes what is queued, finalises
   * the file and completes {@link Recording#ended()}. Ending twice keeps the first reason.
   */
  public void stop(Recording recording, String reason) {
    if (recording.closed) return;
    recording.endReason = reason;
    recording.closed = true;
    LockSupport.unpark(thread);
  }

  private void run() {
    PacketRing.Record record = new PacketRing.Record();
    while (running) {
      long now = System.nanoTime();
      for (Map.Entry<Recording, RecordingWriter> e : active.entrySet()) service(e.getKey(), e.getValue(), record, now);
      LockSupport.parkNanos(TICK_NANOS);
    }
  }

  private void service(Recording recording, RecordingWriter writer, PacketRing.Record record, long now) {
    try {
      boolean ending = recording.closed;
      while (recording.ring.poll(record)) {
        writer.write(record);
        recording.written++;
      }
      if (!ending) {
        writer.tick(now);
        return;
      }
      long duration = writer.finish(System.nanoTime());
      finish(recording, writer, duration, recording.endReason);
    } catch (IOException | RuntimeException e) {
      LOG.warn("recording {} to {} failed: {}", recording.id, recording.path, e.toString());
      recording.closed = true;
      writer.abandon();
      finish(recording, writer, (System.nanoTime() - recording.startNanos) / 1_000_000, "disk_error");
    }
  }

  private void finish(Recording recording, RecordingWriter writer, long durationMs, String reason) {
    active.remove(recording);
    long late = writer instanceof WavWriter wav ? wav.late() : 0;
    recording.ended.complete(new Recording.Result(recording.id, recording.requestedPath, durationMs, recording.written,
        recording.ring.dropped() + late, reason));
  }

  private void stopAll() {
    running = false;
    LockSupport.unpark(thread);
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    PacketRing.Record record = new PacketRing.Record();
    for (Map.Entry<Recording, RecordingWriter> e : active.entrySet()) {
      stop(e.getKey(), "node_shutdown");
      service(e.getKey(), e.getValue(), record, System.nanoTime());
    }
  }
}
