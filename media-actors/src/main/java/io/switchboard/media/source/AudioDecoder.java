package io.switchboard.media.source;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.UnsupportedAudioFileException;
import javazoom.jl.decoder.Bitstream;
import javazoom.jl.decoder.BitstreamException;
import javazoom.jl.decoder.Decoder;
import javazoom.jl.decoder.DecoderException;
import javazoom.jl.decoder.Header;
import javazoom.jl.decoder.SampleBuffer;

/**
 * Turns a file's bytes into a {@link Clip}: WAV (PCM, 8- or 16-bit, any rate, mono or stereo) through the
 * JDK's javax.sound, MP3 through JLayer; channels averaged to mono and the rate converted to 8 kHz.
 * Anything else, or a file that is not what it claims, is an {@link IOException} whose message says why.
 */
public final class AudioDecoder {

  /** Longest clip accepted: an hour, about 55 MB decoded. */
  private static final long MAX_SAMPLES = 3600L * Clip.RATE;

  private AudioDecoder() {}

  public static Clip decode(byte[] file) throws IOException {
    if (file.length >= 12 && file[0] == 'R' && file[1] == 'I' && file[2] == 'F' && file[3] == 'F'
        && file[8] == 'W' && file[9] == 'A' && file[10] == 'V' && file[11] == 'E') {
      return wav(file);
    }
    if (looksLikeMp3(file)) return mp3(file);
    throw new IOException("not a WAV or MP3 file");
  }

  private static boolean looksLikeMp3(byte[] f) {
    if (f.length >= 3 && f[0] == 'I' && f[1] == 'D' && f[2] == '3') return true;
    return f.length >= 2 && (f[0] & 0xff) == 0xff && (f[1] & 0xe0) == 0xe0; // an MPEG audio frame sync
  }

  private static Clip wav(byte[] file) throws IOException {
    try (AudioInputStream in = AudioSystem.getAudioInputStream(new ByteArrayInputStream(file))) {
      AudioFormat f = in.getFormat();
      boolean pcm = f.getEncoding() == AudioFormat.Encoding.PCM_SIGNED || f.getEncoding() == AudioFormat.Encoding.PCM_UNSIGNED;
      int bits = f.getSampleSizeInBits();
      if (!pcm || (bits != 8 && bits != 16)) {
        throw new IOException("WAV must be 8- or 16-bit PCM, not " + f.getEncoding() + " " + bits + "-bit");
      }
      int channels = f.getChannels();
      int rate = Math.round(f.getSampleRate());
      if (channels < 1 || channels > 8 || rate < 4000 || rate > 192_000) throw new IOException("unsupported WAV format " + f);
      int frameBytes = bits / 8 * channels;
      boolean unsigned = f.getEncoding() == AudioFormat.Encoding.PCM_UNSIGNED;
      ByteOrder order = f.isBigEndian() ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
      Resampler resampler = new Resampler(rate, MAX_SAMPLES);
      byte[] chunk = new byte[frameBytes * 4096];
      for (int n; (n = in.readNBytes(chunk, 0, chunk.length)) > 0; ) {
        ByteBuffer b = ByteBuffer.wrap(chunk, 0, n).order(order);
        for (int frame = 0; frame + frameBytes <= n; frame += frameBytes) {
          float sum = 0;
          for (int c = 0; c < channels; c++) {
            int at = frame + c * bits / 8;
            sum += bits == 16 ? (unsigned ? (b.getShort(at) & 0xffff) - 32768 : b.getShort(at))
                : (unsigned ? (b.get(at) & 0xff) - 128 : b.get(at)) << 8;
          }
          resampler.push(sum / channels);
        }
      }
      return resampler.finish();
    } catch (UnsupportedAudioFileException e) {
      throw new IOException("unreadable WAV: " + e.getMessage());
    } catch (IllegalStateException tooLong) {
      throw new IOException(tooLong.getMessage());
    }
  }

  private static Clip mp3(byte[] file) throws IOException {
    Bitstream stream = new Bitstream(new ByteArrayInputStream(file));
    Decoder decoder = new Decoder();
    Resampler resampler = null;
    try {
      for (Header h; (h = stream.readFrame()) != null; ) {
        SampleBuffer out = (SampleBuffer) decoder.decodeFrame(h, stream);
        int channels = out.getChannelCount();
        if (resampler == null) resampler = new Resampler(out.getSampleFrequency(), MAX_SAMPLES);
        short[] pcm = out.getBuffer();
        int frames = out.getBufferLength() / channels;
        for (int i = 0; i < frames; i++) {
          float sum = 0;
          for (int c = 0; c < channels; c++) sum += pcm[i * channels + c];
          resampler.push(sum / channels);
        }
        stream.closeFrame();
      }
    } catch (BitstreamException | DecoderException | ArrayIndexOutOfBoundsException e) {
      throw new IOException("corrupt MP3: " + e.getMessage());
    } catch (IllegalStateException tooLong) {
      throw new IOException(tooLong.getMessage());
    } finally {
      try {
        stream.close();
      } catch (BitstreamException ignored) {
        // reading from memory: nothing to release
      }
    }
    if (resampler == null) throw new IOException("MP3 without audio frames");
    Clip clip = resampler.finish();
    if (clip.samples().length == 0) throw new IOException("MP3 without audio frames");
    return clip;
  }
}
