package dev.custody.core;

/**
 * Proof that a DSSE bundle's signature checked out under a trust decision: the in-toto statement it
 * carries and who signed it. Only verifiers in this package construct it.
 */
public final class VerifiedStatement {
  private final Statement statement;
  private final byte[] payload;
  private final String signer;

  VerifiedStatement(Statement statement, byte[] payload, String signer) {
    this.statement = statement;
    this.payload = payload.clone();
    this.signer = signer;
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

  @Override
  public String toString() {
    return "VerifiedStatement[" + statement.predicateType() + " signed by " + signer + "]";
  }
}
