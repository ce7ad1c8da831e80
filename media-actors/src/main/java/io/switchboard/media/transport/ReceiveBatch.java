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
  /** Where {@link #data} and {@link #meta} are in memory, for the native reads (0 without the library). */
  final long dataAddress = NativeUdp.available() ? NativeUdp.address(data) : 0;
  final long metaAddress = NativeUdp.available() ? NativeUdp.address(meta) : 0;
  final ByteBuffer[] packets = new ByteBuffer[SIZE];
  /** Null for a source that is not an IPv4 address (cannot happen on an IPv4 socket). */
  final SocketAddress[] sources = new SocketAddress[SIZE];

  ReceiveBatch() {
    for (int i = 0; i < SIZE; i++) packets[i] = data.slice(i * SLOT, SLOT);
  }
}
