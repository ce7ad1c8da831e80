package io.switchboard.media.transport;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * The JNI library behind the media thread's UDP calls (src/main/native): batched reads with
 * {@code recvmmsg} and sends with {@code sendto}, straight on a channel's descriptor. The build compiles
 * it into the jar when a C compiler is present; without it, or on another system, {@link #available()}
 * is false and the media thread uses NIO.
 *
 * <p>All calls return {@code -errno} on failure instead of throwing, so that the media thread's loop
 * allocates nothing.
 */
final class NativeUdp {

  /** Bytes of metadata {@link #receive} writes per datagram: length, source IPv4 address, source port. */
  static final int META_BYTES = 12;

  private static final String RESOURCE = "/META-INF/native/libswitchboard-udp-" + platform() + ".so";
  private static final String UNAVAILABLE = load();

  private NativeUdp() {}

  /** Whether the library is loaded. */
  static boolean available() {
    return UNAVAILABLE == null;
  }

  /** Why the library is not loaded; null when it is. */
  static String unavailableReason() {
    return UNAVAILABLE;
  }

  /** The channel's descriptor, or -1 when this JDK keeps it elsewhere. */
  static native int fd(DatagramChannel channel);

  /**
   * Reads up to {@code max} waiting datagrams without blocking: datagram i into {@code data} at
   * {@code i * slot} (cut at {@code slot} bytes), its length, source address and port as three native ints
   * into {@code meta} at {@code i * META_BYTES}. Returns how many were read (0: none waiting) or -errno.
   */
  static native int receive(int fd, ByteBuffer data, int slot, int max, ByteBuffer meta);

  /** Sends {@code length} bytes of {@code buffer} from {@code offset} to an IPv4 address; bytes sent or -errno. */
  static native int send(int fd, ByteBuffer buffer, int offset, int length, int ipv4, int port);

  private static String platform() {
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    if (arch.equals("amd64")) arch = "x86_64";
    return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).replace(' ', '_') + "-" + arch;
  }

  /** Loads the library from the jar; returns why it could not, or null. */
  private static String load() {
    try (InputStream lib = NativeUdp.class.getResourceAsStream(RESOURCE)) {
      if (lib == null) return "this build has no " + RESOURCE + " (built without a C compiler, or for another platform)";
      Path file = Files.createTempFile("libswitchboard-udp", ".so");
      try {
        Files.copy(lib, file, StandardCopyOption.REPLACE_EXISTING);
        System.load(file.toAbsolutePath().toString());
      } finally {
        Files.deleteIfExists(file); // the loaded library stays mapped; nothing is left in the temp directory
      }
      return null;
    } catch (IOException | UnsatisfiedLinkError | SecurityException e) {
      return "cannot load " + RESOURCE + ": " + e;
    }
  }
}
