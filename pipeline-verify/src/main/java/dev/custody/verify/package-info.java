/**
 * Verification: the gate every model passes before Custody uses it.
 *
 * <p>The safe model loader lives here: {@link dev.custody.verify.ModelLoader} is the only code in
 * Custody that deserializes a model, and it accepts only a {@link
 * dev.custody.verify.VerifiedArtifact}, which only the verifier in this package can construct.
 */
package dev.custody.verify;
