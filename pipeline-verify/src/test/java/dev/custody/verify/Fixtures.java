package dev.custody.verify;

import static dev.custody.verify.CanaryWitness.CANARY;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.oracle.labs.mlrg.olcut.config.protobuf.protos.RootProvenanceProto;
import com.oracle.labs.mlrg.olcut.config.protobuf.protos.SimpleProvenanceProto;
import dev.custody.core.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.tribuo.common.tree.protos.TreeModelProto;
import org.tribuo.protos.core.ModelProto;
import org.tribuo.protos.core.WeightedEnsembleModelProto;

/**
 * The committed model fixtures under {@code src/test/resources/dev/custody/verify/}: genuine models
 * written by Tribuo 4.3.2 ({@link Golden}) and attacks crafted from them ({@link Crafted}). Every
 * crafted file is a deterministic function of a golden one, so {@code FixturesTest} can rebuild it
 * and compare bytes.
 *
 * <p>To rewrite all of them (after changing {@link TestModels}), run the tests with {@code
 * -Dcustody.writeFixtures=true}.
 */
final class Fixtures {
  static final String WRITE_PROPERTY = "custody.writeFixtures";

  /** Genuine models, trained by {@link TestModels}. */
  enum Golden {
    LOGISTIC_REGRESSION("logistic-regression-4.3.2.tribuo", TestModels.Kind.LOGISTIC_REGRESSION),
    CART("cart-4.3.2.tribuo", TestModels.Kind.CART),
    RANDOM_FOREST("random-forest-4.3.2.tribuo", TestModels.Kind.RANDOM_FOREST);

    final String file;
    final TestModels.Kind kind;

    Golden(String file, TestModels.Kind kind) {
      this.file = file;
      this.kind = kind;
    }

    byte[] bytes() {
      return read(file);
    }
  }

  /** Attacks, each named after its defect, with the reason and the name the loader must report. */
  enum Crafted {
    /** The top-level model class is {@code Canary}. */
    MODEL_WITH_CANARY_CLASS(
        "model-with-canary-class.tribuo", Golden.LOGISTIC_REGRESSION, Reason.UNSAFE_MODEL, CANARY),
    /** The second member of a random forest is a {@code Canary}. */
    ENSEMBLE_MEMBER_WITH_CANARY_CLASS(
        "ensemble-member-with-canary-class.tribuo",
        Golden.RANDOM_FOREST,
        Reason.UNSAFE_MODEL,
        CANARY),
    /** The model's root provenance object is a {@code Canary}. */
    PROVENANCE_WITH_CANARY_CLASS(
        "provenance-with-canary-class.tribuo", Golden.CART, Reason.UNSAFE_MODEL, CANARY),
    /** A provenance value claims to be an {@code EnumProvenance} of enum class {@code Canary}. */
    ENUM_PROVENANCE_WITH_CANARY_CLASS(
        "enum-provenance-with-canary-class.tribuo", Golden.CART, Reason.UNSAFE_MODEL, CANARY),
    /** The model's payload is an {@code Any} of a type outside the allow-list. */
    MODEL_WITH_UNLISTED_ANY_TYPE(
        "model-with-unlisted-any-type.tribuo",
        Golden.LOGISTIC_REGRESSION,
        Reason.UNSAFE_MODEL,
        "dev.custody.verify.CanaryProto");

    final String file;
    final Golden base;
    final Reason reason;
    final String named;

    Crafted(String file, Golden base, Reason reason, String named) {
      this.file = file;
      this.base = base;
      this.reason = reason;
      this.named = named;
    }

    byte[] bytes() {
      return read(file);
    }

    /** Rebuilds this attack from {@code golden}, the bytes of {@link #base}. */
    byte[] craft(byte[] golden) {
      try {
        ModelProto model = ModelProto.parseFrom(golden);
        ModelProto crafted =
            switch (this) {
              case MODEL_WITH_CANARY_CLASS -> model.toBuilder().setClassName(CANARY).build();
              case ENSEMBLE_MEMBER_WITH_CANARY_CLASS -> canaryMember(model);
              case PROVENANCE_WITH_CANARY_CLASS -> withProvenance(model, Fixtures::canaryRoot);
              case ENUM_PROVENANCE_WITH_CANARY_CLASS -> withProvenance(model, Fixtures::canaryEnum);
              case MODEL_WITH_UNLISTED_ANY_TYPE ->
                  model.toBuilder()
                      .setSerializedData(
                          model.getSerializedData().toBuilder()
                              .setTypeUrl(ModelScan.TYPE_URL_PREFIX + named))
                      .build();
            };
        return crafted.toByteArray();
      } catch (InvalidProtocolBufferException e) {
        throw new IllegalStateException(file + ": base model does not parse", e);
      }
    }
  }

  private Fixtures() {}

  private static ModelProto canaryMember(ModelProto model) throws InvalidProtocolBufferException {
    WeightedEnsembleModelProto forest =
        model.getSerializedData().unpack(WeightedEnsembleModelProto.class);
    WeightedEnsembleModelProto crafted =
        forest.toBuilder()
            .setModels(1, forest.getModels(1).toBuilder().setClassName(CANARY))
            .build();
    return model.toBuilder().setSerializedData(Any.pack(crafted)).build();
  }

  private interface ProvenanceEdit {
    RootProvenanceProto apply(RootProvenanceProto root);
  }

  private static ModelProto withProvenance(ModelProto model, ProvenanceEdit edit)
      throws InvalidProtocolBufferException {
    TreeModelProto tree = model.getSerializedData().unpack(TreeModelProto.class);
    TreeModelProto crafted =
        tree.toBuilder()
            .setMetadata(
                tree.getMetadata().toBuilder()
                    .setProvenance(edit.apply(tree.getMetadata().getProvenance())))
            .build();
    return model.toBuilder().setSerializedData(Any.pack(crafted)).build();
  }

  private static RootProvenanceProto canaryRoot(RootProvenanceProto root) {
    return root.toBuilder()
        .setOmp(0, root.getOmp(0).toBuilder().setProvenanceClassName(CANARY))
        .build();
  }

  private static RootProvenanceProto canaryEnum(RootProvenanceProto root) {
    List<SimpleProvenanceProto> values = root.getSmpList();
    for (int i = 0; i < values.size(); i++) {
      if (values.get(i).getProvenanceClassName().endsWith(".BooleanProvenance")) {
        return root.toBuilder()
            .setSmp(
                i,
                values.get(i).toBuilder()
                    .setProvenanceClassName(
                        "com.oracle.labs.mlrg.olcut.provenance.primitives.EnumProvenance")
                    .setAdditional(CANARY)
                    .setValue("RAN"))
            .build();
      }
    }
    throw new IllegalStateException("no BooleanProvenance in the model's provenance");
  }

  /** The committed fixture {@code name}. */
  static byte[] read(String name) {
    try (InputStream in = Fixtures.class.getResourceAsStream(name)) {
      return Objects.requireNonNull(in, "missing fixture " + name).readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Where the fixtures live in the source tree (for rewriting them). */
  static Path sourceDirectory() {
    return Path.of(
            System.getProperty("custody.root"), "pipeline-verify", "src", "test", "resources")
        .resolve(Fixtures.class.getPackageName().replace('.', '/'));
  }

  /** Trains every golden model afresh, crafts every attack from it, and writes them all. */
  static void writeAll() throws IOException {
    Path dir = Files.createDirectories(sourceDirectory());
    for (Golden g : Golden.values()) {
      Files.write(dir.resolve(g.file), TestModels.bytes(g.kind.train()));
    }
    for (Crafted c : Crafted.values()) {
      Files.write(dir.resolve(c.file), c.craft(Files.readAllBytes(dir.resolve(c.base.file))));
    }
  }
}
