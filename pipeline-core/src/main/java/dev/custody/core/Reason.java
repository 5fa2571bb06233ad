package dev.custody.core;

/**
 * Why Custody refused something: a stable code that scripts and clients can match on. Each reason
 * maps once to a CLI exit code and an HTTP status; codes never change meaning once released.
 */
public enum Reason {
  /**
   * Input that is not what its format says it is: bad JSON, bad base64, a field outside the schema.
   */
  MALFORMED(10, 400),
  /** An artifact's digest differs from the digest that was signed or pinned. */
  DIGEST_MISMATCH(3, 422),
  /** The signature is valid but its signer is not one the policy trusts. */
  UNTRUSTED_SIGNER(4, 403),
  /** The signature does not verify against the key or certificate. */
  SIGNATURE_INVALID(5, 422),
  /** A model directory's file set or file contents differ from its signed manifest. */
  MANIFEST_MISMATCH(6, 422),
  /** A transparency-log entry or timestamp is missing, malformed or does not verify. */
  TLOG_INVALID(7, 422),
  /** A certificate is outside its validity, not chained to the trusted root, or malformed. */
  CERTIFICATE_INVALID(8, 422),
  /** A key file cannot be read: wrong format, wrong passphrase or unsupported algorithm. */
  KEY_INVALID(9, 400),
  /**
   * A well-formed input in a version, algorithm or method Custody does not accept, such as a bundle
   * media type it does not read.
   */
  UNSUPPORTED(11, 422),
  /**
   * A request to the model server without a bearer token, with one that is not of the form {@code
   * Bearer <token>}, or with a token the server's token file does not hold. Answered with {@code
   * WWW-Authenticate: Bearer}.
   */
  UNAUTHENTICATED(70, 401),
  /**
   * A request to the model server with a valid token whose role does not allow the endpoint: an
   * {@code infer} token on the admin endpoint.
   */
  FORBIDDEN(71, 403),
  /**
   * A request to the model server beyond its client's (or address's) rate limit; answered with
   * {@code Retry-After} in whole seconds.
   */
  RATE_LIMITED(72, 429),
  /**
   * A token file that cannot be used: unknown key, wrong type, bad hex digest, duplicate id or
   * digest (named with line:column), or a file that others may write.
   */
  TOKENS_INVALID(73, 400),
  /**
   * A TLS setting that cannot be used: a keystore that is missing, unreadable with its password or
   * without exactly one key entry, an expired certificate, a password file readable by others, or
   * an unreadable client CA file.
   */
  TLS_INVALID(74, 400),
  /**
   * A feedback store whose hash chain does not verify: a record changed, dropped, reordered or
   * inserted, or a line that is not a canonical feedback record anywhere but at the torn end of a
   * journal. The message names the chain and the record.
   */
  FEEDBACK_STORE_INVALID(75, 500),
  /**
   * A feedback store that cannot take or give records now: a journal another process holds, a
   * failed fsync, an unreachable database. Nothing was recorded; the client may retry.
   */
  FEEDBACK_STORE_UNAVAILABLE(76, 503),
  /**
   * A feedback dataset the train stage refuses: a line that is not a canonical feedback record, or
   * a record for another model, with input columns other than the spec's feature columns, or with a
   * label outside the allowed set (the message names the record's sequence number).
   */
  FEEDBACK_INVALID(80, 422),
  /**
   * A model names a class or protobuf type that the loader's allow-list does not permit; it is
   * refused before any class it names is loaded.
   */
  UNSAFE_MODEL(40, 422),
  /** A model's output type, label set or feature names differ from the signed training record. */
  MODEL_MISMATCH(41, 422),
  /** A model file is larger than the loader's configured limit. */
  MODEL_TOO_LARGE(42, 413),
  /** The running or recorded classpath differs from the signed dependency lock. */
  DEPENDENCY_MISMATCH(50, 422),
  /** A trust policy file is unreadable, has unknown keys or wrong types, or trusts nobody. */
  POLICY_INVALID(51, 400),
  /**
   * Training could not produce a model from the data: too few rows or labels, or a trainer error.
   */
  TRAINING_FAILED(30, 422),
  /**
   * A data file that breaks its declared format or schema; the message names the line, column,
   * expected and found value.
   */
  DATA_INVALID(20, 422),
  /**
   * A pipeline spec or data lock with an unknown key, a wrong type, a bad value or a missing field;
   * the message names the key and its line:column.
   */
  SPEC_INVALID(21, 400),
  /** A data screen with policy {@code fail} flagged more rows than it allows. */
  SCREEN_FAILED(22, 422),
  /**
   * A validly signed model whose version is lower than the trust policy's minimum or than the
   * version in service: an old model replayed, not an upgrade.
   */
  ROLLBACK(52, 409),
  /** A model directory lacks the signature or an attestation the trust policy requires. */
  CHAIN_INCOMPLETE(53, 422),
  /** The gate attestation records a failed gate (or none at all). */
  GATE_NOT_PASSED(54, 422),
  /**
   * The reproduction summary records a failed re-run, or a reproduced content digest that differs
   * from the signed model's.
   */
  NOT_REPRODUCED(55, 422),
  /**
   * A release gate failed: a minimum metric, the canary set or the largest allowed change against
   * the baseline; the message names the gate, the observed value and the required one. Nothing is
   * exported.
   */
  GATE_FAILED(31, 422),
  /**
   * An independent re-run of a model's signed pipeline did not give the signed model: the message
   * names what differs (data, spec, dependencies, or the model itself).
   */
  REPRODUCTION_MISMATCH(32, 422),
  /**
   * Keyless signing found no OIDC identity token: {@code SIGSTORE_ID_TOKEN} is unset and there are
   * no GitHub Actions credentials, or the GitHub Actions token endpoint gave none. No browser flow
   * is attempted.
   */
  IDENTITY_TOKEN_MISSING(60, 401),
  /**
   * Keyless signing failed at the Sigstore instance: its TUF repository, Fulcio, the timestamp
   * authority or Rekor did not answer or gave an answer that does not verify. Nothing was written.
   */
  SIGNING_FAILED(61, 502);

  private final int exitCode;
  private final int httpStatus;

  Reason(int exitCode, int httpStatus) {
    this.exitCode = exitCode;
    this.httpStatus = httpStatus;
  }

  /** The process exit code the {@code custody} command returns for this reason. */
  public int exitCode() {
    return exitCode;
  }

  /** The HTTP status the model server answers with for this reason. */
  public int httpStatus() {
    return httpStatus;
  }
}
