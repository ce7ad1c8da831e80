package io.switchboard.media.transport;

import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The media thread's landing space for one socket's burst of datagrams: {@link #SIZE} packet buffers
 * in one direct block (so the kernel fills them in one call), with each one's source. Reused for every
 * burst; a packet is valid until the next {@link UdpSocket#receive}.
 */
final class ReceiveBatch {

  /** At most this many datagrams per socket per wake-up, so one busy peer cannot starve the others. */
  static final int SIZE = 32;
  /** Room for one datagram; longer ones are cut (RTP on a telephony path is far smaller). */
  static final int SLOT = 2048;

  final ByteBuffer data = ByteBuffer.allocateDirect(SIZE * SLOT);
  final ByteBuffer meta = ByteBuffer.allocateDirect(SIZE * NativeUdp.META_BYTES).order(ByteOrder.nativeOrder());
  /** The native reads' headers pointing into {@link #data}, laid out once (null without the library). */
  private final ByteBuffer headers = NativeUdp.available() ? ByteBuffer.allocateDirect(NativeUdp.receiveHeaderBytes()) : null;
  /** Where {@link #headers} and {@link #meta} are in memory, for the native reads (0 without the library). */
  final long headersAddress = headers == null ? 0 : NativeUdp.address(headers);
  final long metaAddress = headers == null ? 0 : NativeUdp.address(meta);
  final ByteBuffer[] packets = new ByteBuffer[SIZE];
  /** Null for a source that is not an IPv4 address (cannot happen on an IPv4 socket). */
  final SocketAddress[] sources = new SocketAddress[SIZE];

  ReceiveBatch() {
    for (int i = 0; i < SIZE; i++) packets[i] = data.slice(i * SLOT, SLOT);
    if (headers != null && NativeUdp.receivePrepare(headersAddress, NativeUdp.address(data), SLOT, SIZE) != 0) {
      throw new IllegalStateException("native receive headers for " + SIZE + " datagrams were refused");
    }
  }
}
