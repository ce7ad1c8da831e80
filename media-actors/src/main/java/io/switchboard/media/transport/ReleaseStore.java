package io.switchboard.media.transport;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Handles for the media thread's release stores into volatile counters that other threads read. A
 * release store publishes a value as a volatile store does for a single writer, without the full fence
 * that a volatile store costs on x86, which on the media path comes several times a packet.
 */
final class ReleaseStore {

  private ReleaseStore() {}

  /** The {@code long} field {@code name} of the lookup's class. */
  static VarHandle longField(MethodHandles.Lookup lookup, String name) {
    try {
      return lookup.findVarHandle(lookup.lookupClass(), name, long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }
}
