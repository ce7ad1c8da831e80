package io.switchboard.media.transport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The native way to wait: an epoll set of its own ({@link NativeUdp}), each socket known by a token
 * that indexes {@link #sockets}, and an eventfd for wake-ups. Per ready socket it costs an array read,
 * where the JDK selector looks the descriptor up in a map and translates ready sets under its locks.
 */
final class EpollPoller implements Poller {

  private static final int MAX_EVENTS = 1024;
  /** The wake-up eventfd's token; sockets have tokens from 0. */
  private static final int WAKE = -1;

  private final int epfd;
  private final int wakeFd;
  private final ByteBuffer tokens = ByteBuffer.allocateDirect(4 * MAX_EVENTS).order(ByteOrder.nativeOrder());
  private final long tokensAddress = NativeUdp.address(tokens);
  private UdpSocket[] sockets = new UdpSocket[64];
  /** Tokens given back by removed sockets, reused first so that {@link #sockets} stays small. */
  private int[] freeTokens = new int[64];
  private int freeCount;
  private int nextToken;
  /** Set by the first wake-up since the last poll: later ones need no system call. */
  private final AtomicBoolean woken = new AtomicBoolean();

  EpollPoller() throws IOException {
    epfd = check(NativeUdp.epollCreate(), "epoll_create1");
    int fd = NativeUdp.eventCreate();
    if (fd < 0) NativeUdp.close(epfd);
    wakeFd = check(fd, "eventfd");
    check(NativeUdp.epollAdd(epfd, wakeFd, WAKE), "epoll_ctl(ADD eventfd)");
  }

  @Override
  public void register(UdpSocket socket) throws IOException {
    int token = freeCount > 0 ? freeTokens[--freeCount] : nextToken++;
    if (token >= sockets.length) sockets = Arrays.copyOf(sockets, sockets.length * 2);
    check(NativeUdp.epollAdd(epfd, socket.fd(), token), "epoll_ctl(ADD)");
    sockets[token] = socket;
    socket.pollToken = token;
  }

  @Override
  public void deregister(UdpSocket socket) {
    int token = socket.pollToken;
    if (token < 0 || sockets[token] != socket) return;
    NativeUdp.epollRemove(epfd, socket.fd()); // fails only if the descriptor is gone, and then it is out of the set too
    sockets[token] = null;
    socket.pollToken = -1;
    if (freeCount == freeTokens.length) freeTokens = Arrays.copyOf(freeTokens, freeCount * 2);
    freeTokens[freeCount++] = token;
  }

  @Override
  public void poll(long timeoutMs, Ready ready) throws IOException {
    int n = check(NativeUdp.epollWait(epfd, tokensAddress, MAX_EVENTS, (int) Math.min(Integer.MAX_VALUE, timeoutMs)), "epoll_wait");
    long now = System.nanoTime();
    for (int i = 0; i < n; i++) {
      int token = tokens.getInt(4 * i);
      if (token == WAKE) {
        NativeUdp.eventClear(wakeFd);
        woken.set(false); // after clearing: a wake-up in between finds the flag set and its task runs next anyway
        continue;
      }
      UdpSocket socket = sockets[token];
      if (socket != null) ready.accept(socket, now);
    }
  }

  @Override
  public void wakeup() {
    if (woken.compareAndSet(false, true)) NativeUdp.eventSignal(wakeFd);
  }

  @Override
  public void close() {
    NativeUdp.close(wakeFd);
    NativeUdp.close(epfd);
  }

  private static int check(int result, String call) throws IOException {
    if (result < 0) throw new IOException(call + " failed: errno " + -result);
    return result;
  }
}
