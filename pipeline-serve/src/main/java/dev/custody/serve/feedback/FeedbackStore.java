package dev.custody.serve.feedback;

import dev.custody.core.PipelineException;
import dev.custody.core.feedback.FeedbackEntry;
import dev.custody.core.feedback.FeedbackRecord;
import java.time.Instant;
import java.util.List;

/**
 * Where the server records feedback: append-only, hash-chained, durable before {@link #append}
 * returns. Two implementations: {@code JournalStore} (one file, the default) and {@code
 * PostgresStore} (several replicas, one database). Implementations are safe for concurrent use.
 */
public interface FeedbackStore extends AutoCloseable {

  /** The result of an append: the record in the store, and whether it was already there. */
  record Appended(FeedbackRecord record, boolean duplicate) {}

  /**
   * Records {@code entry} durably (fsync or commit) and returns its record; or, when the store
   * already holds a record of the same client for the same {@linkplain FeedbackEntry#inputDigest()
   * input} of the same model, records nothing and returns that earlier record with {@code
   * duplicate} true.
   *
   * @throws PipelineException {@code FEEDBACK_STORE_UNAVAILABLE} when the record could not be made
   *     durable (the caller answers 503 and the client may retry)
   */
  Appended append(FeedbackEntry entry) throws PipelineException;

  /**
   * How many records (accepted or quarantined, not duplicates) {@code client} made since {@code
   * since}.
   */
  long countSince(String client, Instant since) throws PipelineException;

  /**
   * Every record, chain by chain in sequence order, after checking every chain's hashes.
   *
   * @throws PipelineException {@code FEEDBACK_STORE_INVALID} naming the chain and sequence of the
   *     first record whose hash or link does not verify
   */
  List<FeedbackRecord> readAll() throws PipelineException;

  /** The last record of each chain, if any: what an export attests it read up to. */
  List<FeedbackRecord> heads() throws PipelineException;

  /**
   * A description for messages and attestations, without secrets: a path, or a URL without
   * password.
   */
  String describe();

  @Override
  void close() throws PipelineException;
}
