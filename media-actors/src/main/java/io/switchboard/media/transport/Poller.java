package io.switchboard.media.transport;

import java.io.IOException;

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

  /** Takes one readable socket of a wake-up. */
  @FunctionalInterface
  interface Ready {
    /**
     * @param nowNanos when the wait returned ({@link System#nanoTime}), the same for every socket of the
     *     wake-up: its datagrams were all waiting by then, and one clock read serves them all
     */
    void accept(UdpSocket socket, long nowNanos);
  }

  /**
   * Waits up to {@code timeoutMs} (at least until one socket is readable or {@link #wakeup}) and hands
   * each readable socket to {@code ready}.
   */
  void poll(long timeoutMs, Ready ready) throws IOException;

  /** Makes a poll under way, or the next one, return at once. Any thread. */
  void wakeup();

  @Override
  void close();

  static Poller open(boolean nativeIo) throws IOException {
    return nativeIo ? new EpollPoller() : new SelectorPoller();
  }
}
