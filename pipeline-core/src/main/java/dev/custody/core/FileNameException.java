package dev.custody.core;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * File names of a model that cannot be recorded exactly as their bytes on disk spell them in UTF-8
 * (the only encoding a model signature's names have): decoded by a JVM whose locale charset is not
 * UTF-8, or bytes that are not UTF-8 at all. Always {@link Reason#UNSUPPORTED}; a verifier reports
 * it as such, not as a mismatch, since nothing about the model's content is known.
 */
final class FileNameException extends PipelineException {
  private static final long serialVersionUID = 1L;

  private FileNameException(String message) {
    super(Reason.UNSUPPORTED, message);
  }

  /** Collects the names that did not decode faithfully while a model is listed. */
  static final class Names {
    private final Charset charset;
    private final List<String> lossy = new ArrayList<>();
    private int decodedByLocale;
    private int notUtf8;

    /**
     * @param charset how this JVM decodes file names ({@code sun.jnu.encoding})
     */
    Names(Charset charset) {
      this.charset = charset;
    }

    /**
     * Checks one name as read from disk (a path whose bytes are kept, such as a walked path or its
     * relativization), described in messages as {@code what} followed by the name.
     */
    void check(Path name, String what) {
      String decoded = name.toString();
      if (!charset.equals(StandardCharsets.UTF_8)
          && !StandardCharsets.US_ASCII.newEncoder().canEncode(decoded)) {
        decodedByLocale++;
        lossy.add(what + ModelManifest.shown(decoded) + " (decoded as " + charset.name() + ")");
        return;
      }
      boolean sameBytes;
      try {
        // POSIX paths compare by their bytes: a lossy decoding does not encode back to them.
        sameBytes = name.equals(name.getFileSystem().getPath(decoded));
      } catch (InvalidPathException e) {
        sameBytes = false;
      }
      if (!sameBytes) {
        notUtf8++;
        lossy.add(what + ModelManifest.shown(decoded) + " (bytes that are not UTF-8)");
      }
    }

    /**
     * @throws FileNameException naming at most {@link ModelManifest#MAX_LISTED} of the names, and
     *     how to fix each kind of problem
     */
    void throwIfAny(Path model) throws FileNameException {
      if (lossy.isEmpty()) {
        return;
      }
      StringBuilder m = new StringBuilder();
      m.append(model)
          .append(": ")
          .append(lossy.size())
          .append(lossy.size() == 1 ? " file name" : " file names")
          .append(" cannot be recorded as UTF-8 exactly as on disk: ")
          .append(
              String.join(
                  "; ", lossy.subList(0, Math.min(lossy.size(), ModelManifest.MAX_LISTED))));
      if (lossy.size() > ModelManifest.MAX_LISTED) {
        m.append("; and ").append(lossy.size() - ModelManifest.MAX_LISTED).append(" more");
      }
      if (decodedByLocale > 0) {
        m.append(". This JVM decodes file names as ")
            .append(charset.name())
            .append(" (sun.jnu.encoding, from the locale: LC_ALL, LC_CTYPE, LANG); run it under a")
            .append(" UTF-8 locale, e.g. LC_ALL=C.UTF-8 (the custody launcher does so itself)");
      }
      if (notUtf8 > 0) {
        m.append(". A model signature names files in UTF-8 (model_signing cannot sign such a name")
            .append(" either); rename the file");
      }
      throw new FileNameException(m.toString());
    }
  }
}
