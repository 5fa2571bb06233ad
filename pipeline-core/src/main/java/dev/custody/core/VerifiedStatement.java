package dev.custody.core;

import java.util.Optional;

/**
 * Proof that a DSSE bundle's signature checked out under a trust decision: the in-toto statement it
 * carries and who signed it. Only verifiers in this package construct it.
 */
public final class VerifiedStatement {
  private final Statement statement;
  private final byte[] payload;
  private final String signer;
  private final VerificationKey key;

  VerifiedStatement(Statement statement, byte[] payload, String signer) {
    this(statement, payload, signer, null);
  }

  VerifiedStatement(Statement statement, byte[] payload, String signer, VerificationKey key) {
    this.statement = statement;
    this.payload = payload.clone();
    this.signer = signer;
    this.key = key;
  }

  /** The verified statement. */
  public Statement statement() {
    return statement;
  }

  /** A copy of the exact payload bytes that were signed. */
  public byte[] payload() {
    return payload.clone();
  }

  /** Who signed: {@code key <hint>} or {@code <identity> (issuer <issuer>)}. */
  public String signer() {
    return signer;
  }

  /**
   * The trusted key the signature verified with, for a key-signed bundle; empty for a keyless one.
   * Lets a caller that trusts keys for several purposes tell which one signed without checking the
   * signature again.
   */
  public Optional<VerificationKey> key() {
    return Optional.ofNullable(key);
  }

  @Override
  public String toString() {
    return "VerifiedStatement[" + statement.predicateType() + " signed by " + signer + "]";
  }
}
