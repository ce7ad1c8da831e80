package io.switchboard.media.recording;

import com.typesafe.config.Config;
import java.nio.file.Path;

/**
 * {@code switchboard.recording.*} and the session's limit, parsed once.
 *
 * @param dir every recording's file lies under it
 * @param queueBytes the bound of each recording's queue between the media thread and the disk
 * @param maxPerSession recordings one session may run at once
 */
public record RecordingSettings(Path dir, int queueBytes, int maxPerSession) {

  public static RecordingSettings fromConfig(Config root) {
    Config c = root.getConfig("switchboard.recording");
    return new RecordingSettings(Path.of(c.getString("dir")).toAbsolutePath().normalize(),
        (int) Math.min(Integer.MAX_VALUE / 2, c.getBytes("queue-size")), root.getInt("switchboard.session.max-recordings"));
  }
}
