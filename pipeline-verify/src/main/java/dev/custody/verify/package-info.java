/**
 * Verification: the gate every model passes before Custody uses it.
 *
 * <p>The safe model loader lives here, package-private: it is the only code in Custody that
 * deserializes a model, it accepts only a {@link dev.custody.verify.VerifiedArtifact}, which only
 * the verifier in this package can construct, and its one public entry is {@link
 * dev.custody.verify.VerifiedChain#load()}. The model it returns, {@link
 * dev.custody.verify.VerifiedModel}, predicts on raw rows through the {@link
 * dev.custody.verify.FeatureEncoder} that training uses too. Applications call {@link
 * dev.custody.verify.DeserializationFilter#install()} first thing in {@code main}.
 */
package dev.custody.verify;
