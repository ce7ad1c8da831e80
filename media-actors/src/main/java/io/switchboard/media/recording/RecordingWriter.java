package io.switchboard.media.recording;

import java.io.IOException;

/** Turns a recording's records into its file format. Recorder thread only. */
interface RecordingWriter {

  void write(PacketRing.Record record) throws IOException;

  /** Called about every 20 ms, for writers that lay out audio by time. */
  default void tick(long nowNanos) throws IOException {}

  /** Writes what is left, finalises headers and closes the file; returns the recorded duration in ms. */
  long finish(long nowNanos) throws IOException;

  /** Closes the file after a failure, without finalising it. */
  void abandon();
}
