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
 * The JNI library behind the media thread's socket calls (src/main/native): batched reads with
 * {@code recvmmsg} and sends with {@code sendto}, straight on a channel's descriptor, and the epoll
 * set it waits on. The build compiles
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

  /** The address of a direct buffer's memory (0 for a heap buffer); the caller keeps the buffer alive. */
  static native long address(ByteBuffer buffer);

  /** Bytes of the native memory {@link #receivePrepare} lays receive headers out in. */
  static native int receiveHeaderBytes();

  /**
   * Lays out receive headers at {@code headers} (of {@link #receiveHeaderBytes} bytes) for {@code count}
   * datagrams (at most 64): datagram i lands in the memory at {@code data + i * slot}, cut at {@code slot}
   * bytes. 0 or -errno.
   */
  static native int receivePrepare(long headers, long data, int slot, int count);

  /**
   * Reads as many waiting datagrams as the prepared headers hold, without blocking, into their places;
   * writes each one's length, source address and port as three native ints at {@code meta + i * META_BYTES}.
   * Returns how many were read (0: none waiting) or -errno.
   */
  static native int receive(int fd, long headers, long meta);

  /** Sends {@code length} bytes at {@code address} to an IPv4 address; bytes sent or -errno. */
  static native int send(int fd, long address, int length, int ipv4, int port);

  /** A new epoll set; its descriptor or -errno. */
  static native int epollCreate();

  /** Watches {@code fd} for reading; {@link #epollWait} reports it as {@code token}. 0 or -errno. */
  static native int epollAdd(int epfd, int fd, int token);

  /** Stops watching {@code fd}. 0 or -errno. */
  static native int epollRemove(int epfd, int fd);

  /**
   * Waits up to {@code timeoutMs} for watched descriptors to become readable and writes up to
   * {@code max} of their tokens as native ints at {@code tokens}. Returns how many (0 on timeout or a
   * signal) or -errno.
   */
  static native int epollWait(int epfd, long tokens, int max, int timeoutMs);

  /** A non-blocking eventfd, to wake a thread in {@link #epollWait}; its descriptor or -errno. */
  static native int eventCreate();

  /** Makes the eventfd readable. 0 or -errno. */
  static native int eventSignal(int fd);

  /** Makes the eventfd unreadable again. 0 or -errno. */
  static native int eventClear(int fd);

  /**
   * Sets the calling thread's nice value (-20..19) and the time slice it asks the scheduler for (Linux
   * 6.12 and later; 0: the kernel's default, else clamped by the kernel to 0.1..100 ms). 0 or -errno:
   * -EACCES/-EPERM, a nice value not permitted (nothing changed); -EOPNOTSUPP, the nice value is set but
   * this kernel keeps no slice of a thread's own.
   */
  static native int setThreadScheduling(int nice, long sliceNanos);

  /** Closes a descriptor this class created. 0 or -errno. */
  static native int close(int fd);

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
