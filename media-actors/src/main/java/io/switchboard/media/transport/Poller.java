package io.switchboard.media.transport;

import java.io.IOException;
import java.util.function.Consumer;

/**
 * What the media thread waits on: its sockets becoming readable, or a wake-up from another thread.
 * One kind per node ({@link EpollPoller} with native I/O, {@link SelectorPoller} with NIO), so the
 * media loop's calls stay monomorphic.
 *
 * <p>All methods but {@link #wakeup} are the media thread's.
 */
interface Poller extends AutoCloseable {

  /** Watches {@code socket} for datagrams from now on. */
  void register(UdpSocket socket) throws IOException;

  /** Stops watching {@code socket}; called before it closes. */
  void deregister(UdpSocket socket);

  /**
   * Waits up to {@code timeoutMs} (at least until one socket is readable or {@link #wakeup}) and hands
   * each readable socket to {@code ready}.
   */
  void poll(long timeoutMs, Consumer<UdpSocket> ready) throws IOException;

  /** Makes a poll under way, or the next one, return at once. Any thread. */
  void wakeup();

  @Override
  void close();

  static Poller open(boolean nativeIo) throws IOException {
    return nativeIo ? new EpollPoller() : new SelectorPoller();
  }
}
