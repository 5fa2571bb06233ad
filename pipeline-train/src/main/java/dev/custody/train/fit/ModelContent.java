package dev.custody.train.fit;

import dev.custody.core.PipelineException;
import dev.custody.core.Reason;
import dev.custody.core.Sha256;
import dev.custody.verify.ModelContentDigest;
import java.util.Locale;
import org.tribuo.Model;
import org.tribuo.classification.sgd.linear.LinearSGDModel;
import org.tribuo.protos.core.ModelProto;

/**
 * A trained model's exported bytes, and its <em>content digest</em> ({@link ModelContentDigest}:
 * the SHA-256 of what the model is, without when, where and on which JVM it was trained). The
 * digest is defined and computed in pipeline-verify, so that the chain verifier recomputes it from
 * verified bytes with the same code that training and reproduction use.
 */
public final class ModelContent {
  private ModelContent() {}

  /**
   * The model in Tribuo's protobuf format ({@code ModelProto}): the bytes Custody exports and
   * signs, and that {@code dev.custody.verify}'s safe loader deserializes. A {@link LinearSGDModel}
   * is written by {@link LinearSgdProto}: the same bytes as Tribuo's {@code serialize()}, without
   * its reflection per feature.
   *
   * @throws IllegalStateException if the default locale is Turkish or Azeri, in which Tribuo 4.3.2
   *     cannot serialize a model
   */
  public static byte[] protobufBytes(Model<?> model) {
    String language = Locale.getDefault().getLanguage();
    if (language.equals("tr") || language.equals("az")) {
      // ProtoUtil.findMethod upper-cases field names with the default locale: "info" becomes
      // "İnfo" and serialization fails with "Unable to find method addAllİnfo".
      throw new IllegalStateException(
          "Tribuo 4.3.2 cannot serialize models when the default locale's language is '"
              + language
              + "'; run the JVM with -Duser.language=en (or call Locale.setDefault first)");
    }
    if (model.getClass() == LinearSGDModel.class) {
      ModelProto fast = LinearSgdProto.of((LinearSGDModel) model);
      if (fast != null) {
        return fast.toByteArray();
      }
    }
    return model.serialize().toByteArray();
  }

  /**
   * The content digest of a model in memory: {@link ModelContentDigest#of(byte[])} of its {@link
   * #protobufBytes}.
   *
   * @throws PipelineException with {@link Reason#UNSUPPORTED} if the model holds a message type
   *     Custody does not know
   */
  public static Sha256 digest(Model<?> model) throws PipelineException {
    return ModelContentDigest.of(protobufBytes(model));
  }
}
