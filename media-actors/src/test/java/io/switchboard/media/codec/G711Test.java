package io.switchboard.media.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class G711Test {

  @Test
  void knownCodesDecodeToTheStandardValues() {
    assertEquals(0, G711.decodeSample(G711.PCMU, 0xFF));
    assertEquals(32124, G711.decodeSample(G711.PCMU, 0x80));
    assertEquals(-32124, G711.decodeSample(G711.PCMU, 0x00));
    assertEquals(8, G711.decodeSample(G711.PCMA, 0xD5));
    assertEquals(-8, G711.decodeSample(G711.PCMA, 0x55));
    assertEquals(32256, G711.decodeSample(G711.PCMA, 0xAA));
    assertEquals(-32256, G711.decodeSample(G711.PCMA, 0x2A));
    assertEquals((byte) 0xFF, G711.encodeSample(G711.PCMU, 0));
    assertEquals((byte) 0xD5, G711.encodeSample(G711.PCMA, 0));
  }

  @Test
  void everyCodeSurvivesDecodeThenEncode() {
    for (int code = 0; code < 256; code++) {
      assertEquals((byte) code, G711.encodeSample(G711.PCMA, G711.decodeSample(G711.PCMA, code)), "A-law " + code);
      if (code != 0x7F) { // μ-law has two zeros; -0 encodes as +0
        assertEquals((byte) code, G711.encodeSample(G711.PCMU, G711.decodeSample(G711.PCMU, code)), "μ-law " + code);
      }
    }
  }

  @Test
  void quantisationErrorStaysWithinTheSegmentStep() {
    for (int s = -32768; s <= 32767; s += 7) {
      for (G711 codec : new G711[] {G711.PCMU, G711.PCMA}) {
        int back = G711.decodeSample(codec, G711.encodeSample(codec, s));
        int step = Math.max(16, Math.abs(s) / 16);
        assertTrue(Math.abs(back - s) <= step + 132, codec.name() + " " + s + " -> " + back);
        assertTrue(Integer.signum(back) == Integer.signum(s) || Math.abs(s) < 16, "sign kept for " + s);
      }
    }
  }

  @Test
  void transcodingTablesMatchDecodeThenEncode() {
    for (int code = 0; code < 256; code++) {
      assertEquals(G711.encodeSample(G711.PCMA, G711.decodeSample(G711.PCMU, code)), G711.ulawToAlaw(code));
      assertEquals(G711.encodeSample(G711.PCMU, G711.decodeSample(G711.PCMA, code)), G711.alawToUlaw(code));
    }
  }

  @Test
  void framesDecodeAndEncodeThroughBuffersAtOffsets() {
    ByteBuffer in = ByteBuffer.allocate(200);
    short[] pcm = new short[160];
    for (int i = 0; i < 160; i++) pcm[i] = (short) (8000 * Math.sin(2 * Math.PI * 1000 * i / 8000.0));
    assertEquals(160, G711.PCMU.encode(pcm, 160, in, 17));
    short[] back = new short[160];
    assertEquals(160, G711.PCMU.decode(in, 17, 160, back));
    for (int i = 0; i < 160; i++) assertTrue(Math.abs(back[i] - pcm[i]) < 300, "sample " + i);
  }
}
