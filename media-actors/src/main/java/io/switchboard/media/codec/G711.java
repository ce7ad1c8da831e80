package io.switchboard.media.codec;

import java.nio.ByteBuffer;

/**
 * ITU-T G.711 μ-law (PCMU, static payload type 0) and A-law (PCMA, 8), one byte per sample at 8 kHz.
 * Decoding is a 256-entry table; encoding is a 64 Ki-entry table indexed by the 16-bit sample, so the
 * media path does one array read per sample. {@link #ulawToAlaw} and {@link #alawToUlaw} transcode
 * without going through linear PCM.
 */
public final class G711 implements AudioCodec {

  public static final G711 PCMU = new G711("PCMU", true);
  public static final G711 PCMA = new G711("PCMA", false);

  private static final short[] ULAW_DECODE = new short[256];
  private static final short[] ALAW_DECODE = new short[256];
  private static final byte[] ULAW_ENCODE = new byte[65536];
  private static final byte[] ALAW_ENCODE = new byte[65536];
  private static final byte[] ULAW_TO_ALAW = new byte[256];
  private static final byte[] ALAW_TO_ULAW = new byte[256];

  static {
    for (int i = 0; i < 256; i++) {
      ULAW_DECODE[i] = ulawDecode(i);
      ALAW_DECODE[i] = alawDecode(i);
    }
    for (int s = -32768; s <= 32767; s++) {
      ULAW_ENCODE[s & 0xffff] = ulawEncode(s);
      ALAW_ENCODE[s & 0xffff] = alawEncode(s);
    }
    for (int i = 0; i < 256; i++) {
      ULAW_TO_ALAW[i] = ALAW_ENCODE[ULAW_DECODE[i] & 0xffff];
      ALAW_TO_ULAW[i] = ULAW_ENCODE[ALAW_DECODE[i] & 0xffff];
    }
  }

  private final String name;
  private final boolean ulaw;

  private G711(String name, boolean ulaw) {
    this.name = name;
    this.ulaw = ulaw;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int clockRate() {
    return 8000;
  }

  @Override
  public int decode(ByteBuffer payload, int offset, int length, short[] pcm) {
    short[] table = ulaw ? ULAW_DECODE : ALAW_DECODE;
    for (int i = 0; i < length; i++) pcm[i] = table[payload.get(offset + i) & 0xff];
    return length;
  }

  @Override
  public int encode(short[] pcm, int samples, ByteBuffer out, int at) {
    byte[] table = ulaw ? ULAW_ENCODE : ALAW_ENCODE;
    for (int i = 0; i < samples; i++) out.put(at + i, table[pcm[i] & 0xffff]);
    return samples;
  }

  public static short decodeSample(G711 codec, int code) {
    return (codec.ulaw ? ULAW_DECODE : ALAW_DECODE)[code & 0xff];
  }

  public static byte encodeSample(G711 codec, int sample) {
    return (codec.ulaw ? ULAW_ENCODE : ALAW_ENCODE)[sample & 0xffff];
  }

  public static byte ulawToAlaw(int code) {
    return ULAW_TO_ALAW[code & 0xff];
  }

  public static byte alawToUlaw(int code) {
    return ALAW_TO_ULAW[code & 0xff];
  }

  // ---- the reference algorithms (G.711 / Sun g711.c), used only to build the tables ----

  private static final int BIAS = 0x84;
  private static final int CLIP = 32635;

  private static byte ulawEncode(int sample) {
    int sign = (sample >> 8) & 0x80;
    if (sign != 0) sample = -sample;
    if (sample > CLIP) sample = CLIP;
    sample += BIAS;
    int exponent = 7;
    for (int mask = 0x4000; (sample & mask) == 0 && exponent > 0; mask >>= 1) exponent--;
    int mantissa = (sample >> (exponent + 3)) & 0x0f;
    return (byte) ~(sign | (exponent << 4) | mantissa);
  }

  private static short ulawDecode(int code) {
    code = ~code & 0xff;
    int sign = code & 0x80;
    int exponent = (code >> 4) & 0x07;
    int mantissa = code & 0x0f;
    int sample = (((mantissa << 3) + BIAS) << exponent) - BIAS;
    return (short) (sign != 0 ? -sample : sample);
  }

  private static byte alawEncode(int sample) {
    int sign = (sample & 0x8000) != 0 ? 0x00 : 0x80;
    if (sign == 0) sample = -sample - 1; // negative: magnitude of the one's complement, as G.711 does
    if (sample > 32767) sample = 32767;
    int encoded;
    if (sample < 256) {
      encoded = sample >> 4;
    } else {
      int exponent = 1;
      for (int v = sample >> 8; v > 1; v >>= 1) exponent++;
      encoded = (exponent << 4) | ((sample >> (exponent + 3)) & 0x0f);
    }
    return (byte) ((encoded | sign) ^ 0x55);
  }

  private static short alawDecode(int code) {
    code ^= 0x55;
    int sign = code & 0x80;
    int exponent = (code >> 4) & 0x07;
    int mantissa = code & 0x0f;
    int sample = exponent == 0 ? (mantissa << 4) + 8 : ((mantissa << 4) + 0x108) << (exponent - 1);
    return (short) (sign != 0 ? sample : -sample);
  }
}
