package io.switchboard.media.transport;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.function.Consumer;

/** The NIO way to wait: a JDK {@link Selector}, each socket's key carrying the socket. */
final class SelectorPoller implements Poller {

  private final Selector selector = Selector.open();
  private Ready ready;
  /** The wake-up's time, read as its first ready key comes (the selector calls back from inside the wait). */
  private long now;
  private boolean stamped;
  /** Made once: a lambda written in {@link #poll} would be a new object on every wake-up. */
  private final Consumer<SelectionKey> onKey = key -> {
    if (!stamped) {
      now = System.nanoTime();
      stamped = true;
    }
    ready.accept((UdpSocket) key.attachment(), now);
  };

  SelectorPoller() throws IOException {}

  @Override
  public void register(UdpSocket socket) throws IOException {
    socket.channel.register(selector, SelectionKey.OP_READ, socket);
  }

  @Override
  public void deregister(UdpSocket socket) {
    SelectionKey key = socket.channel.keyFor(selector);
    if (key != null) key.cancel();
  }

  @Override
  public void poll(long timeoutMs, Ready ready) throws IOException {
    this.ready = ready;
    this.stamped = false;
    selector.select(onKey, timeoutMs);
  }

  @Override
  public void wakeup() {
    selector.wakeup();
  }

  @Override
  public void close() {
    try {
      selector.close();
    } catch (IOException ignored) {
      // the media thread is ending; nothing waits on the selector any more
    }
  }
}
