package dev.custody.train.fit;

import com.google.protobuf.Any;
import java.lang.reflect.Field;
import java.util.List;
import java.util.Map;
import org.tribuo.CategoricalIDInfo;
import org.tribuo.CategoricalInfo;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.VariableInfo;
import org.tribuo.classification.Label;
import org.tribuo.classification.sgd.linear.LinearSGDModel;
import org.tribuo.classification.sgd.protos.ClassificationLinearSGDProto;
import org.tribuo.impl.ModelDataCarrier;
import org.tribuo.math.util.VectorNormalizer;
import org.tribuo.protos.core.CategoricalIDInfoProto;
import org.tribuo.protos.core.FeatureDomainProto;
import org.tribuo.protos.core.ImmutableFeatureMapProto;
import org.tribuo.protos.core.ModelProto;
import org.tribuo.protos.core.VariableInfoProto;

/**
 * Writes a {@link LinearSGDModel} as Tribuo 4.3.2's {@code LinearSGDModel.serialize()} does, byte
 * for byte, but builds each {@link CategoricalIDInfo} of the feature map with its generated
 * protobuf builder. Tribuo's {@code ProtoUtil.serialize} finds each field's setter through {@code
 * Class.getMethods()} (a copy of every public method) once per field of every feature: for the SMS
 * example's 8,984 token features that was about a quarter of a whole {@code custody run}. Every
 * other part (provenance, output domain, parameters, normaliser, other feature kinds) is still
 * written by Tribuo. {@code ModelContentTest} checks the bytes against Tribuo's.
 */
final class LinearSgdProto {
  private LinearSgdProto() {}

  /** The protected state of a categorical feature, and the model's normaliser, read once. */
  private static final Field VALUE_COUNTS;

  private static final Field OBSERVED_VALUE;
  private static final Field OBSERVED_COUNT;
  private static final Field NORMALIZER;

  static {
    Field valueCounts = null;
    Field observedValue = null;
    Field observedCount = null;
    Field normalizer = null;
    try {
      valueCounts = accessible(CategoricalInfo.class.getDeclaredField("valueCounts"));
      observedValue = accessible(CategoricalInfo.class.getDeclaredField("observedValue"));
      observedCount = accessible(CategoricalInfo.class.getDeclaredField("observedCount"));
      normalizer = accessible(LinearSGDModel.class.getDeclaredField("normalizer"));
    } catch (ReflectiveOperationException | RuntimeException e) {
      // Another Tribuo, or a JVM that denies access: ModelContent falls back to Tribuo's writer.
      valueCounts = null;
    }
    VALUE_COUNTS = valueCounts;
    OBSERVED_VALUE = observedValue;
    OBSERVED_COUNT = observedCount;
    NORMALIZER = normalizer;
  }

  private static Field accessible(Field f) {
    f.setAccessible(true);
    return f;
  }

  /**
   * The model's {@code ModelProto}, or null when this Tribuo's fields cannot be read (the caller
   * then uses {@code model.serialize()}).
   */
  static ModelProto of(LinearSGDModel model) {
    if (VALUE_COUNTS == null) {
      return null;
    }
    try {
      ModelDataCarrier<Label> carrier =
          new ModelDataCarrier<>(
              model.getName(),
              model.getProvenance(),
              new ImmutableFeatureMap(List.<VariableInfo>of()),
              model.getOutputIDInfo(),
              model.generatesProbabilities(),
              model.getProvenance().getTribuoVersion());
      ClassificationLinearSGDProto data =
          ClassificationLinearSGDProto.newBuilder()
              .setMetadata(
                  carrier.serialize().toBuilder().setFeatureDomain(domain(model.getFeatureIDMap())))
              .setParams(model.getModelParameters().serialize())
              .setNormalizer(((VectorNormalizer) NORMALIZER.get(model)).serialize())
              .build();
      return ModelProto.newBuilder()
          .setVersion(LinearSGDModel.CURRENT_VERSION)
          .setClassName(LinearSGDModel.class.getName())
          .setSerializedData(Any.pack(data))
          .build();
    } catch (IllegalAccessException e) {
      return null;
    }
  }

  /** The feature map as {@code ProtoUtil.serialize(ImmutableFeatureMap)} writes it. */
  static FeatureDomainProto domain(ImmutableFeatureMap map) throws IllegalAccessException {
    ImmutableFeatureMapProto.Builder infos = ImmutableFeatureMapProto.newBuilder();
    for (VariableInfo info : map) { // the map's own order, as Tribuo iterates it
      infos.addInfo(
          info.getClass() == CategoricalIDInfo.class ? categorical(info) : info.serialize());
    }
    return FeatureDomainProto.newBuilder()
        .setClassName(ImmutableFeatureMap.class.getName())
        .setSerializedData(Any.pack(infos.build()))
        .build();
  }

  private static VariableInfoProto categorical(VariableInfo info) throws IllegalAccessException {
    CategoricalIDInfo c = (CategoricalIDInfo) info;
    CategoricalIDInfoProto.Builder b =
        CategoricalIDInfoProto.newBuilder()
            .setName(c.getName())
            .setCount(c.getCount())
            .setId(c.getID())
            .setObservedValue(OBSERVED_VALUE.getDouble(c))
            .setObservedCount(OBSERVED_COUNT.getLong(c));
    @SuppressWarnings("unchecked")
    Map<Double, ? extends Number> counts = (Map<Double, ? extends Number>) VALUE_COUNTS.get(c);
    if (counts != null) {
      for (Map.Entry<Double, ? extends Number> e : counts.entrySet()) {
        b.addKey(e.getKey());
        b.addValue(e.getValue().longValue());
      }
    }
    return VariableInfoProto.newBuilder()
        .setVersion(CategoricalIDInfo.CURRENT_VERSION)
        .setClassName(CategoricalIDInfo.class.getName())
        .setSerializedData(Any.pack(b.build()))
        .build();
  }
}
