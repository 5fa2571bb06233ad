package dev.custody.core.chain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.core.Reason;
import dev.custody.core.Sha256;
import dev.custody.core.Statement;
import dev.custody.core.VerificationException;
import dev.custody.core.feedback.FeedbackStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The feedback export attestation's predicate ({@value #TYPE}): what {@code custody feedback
 * export} read from a feedback store and wrote to {@value #SUBJECT}. The statement's subject is
 * {@value #SUBJECT} with the SHA-256 of that file's bytes; the predicate says which store was read
 * up to which head of each chain, how many records the file holds, and how many each client
 * contributed (accepted and quarantined): the numbers the train stage's defences start from.
 *
 * <p>One writer, {@link #statement}, and one strict reader, {@link #read(Statement)}.
 *
 * @param store the store's description (a path, or a URL without password)
 * @param model the model the export was limited to, if any
 * @param heads the last record of each chain the store held when it was read, by chain name
 * @param records how many records the file holds
 * @param statuses records per status (every status present, zero included)
 * @param clients per client id, its records per status
 * @param modelDigests records per digest of the model that served them
 * @param exportedAt when the export was made (UTC, milliseconds)
 */
public record FeedbackExportPredicate(
    String store,
    Optional<String> model,
    List<Head> heads,
    long records,
    Map<FeedbackStatus, Long> statuses,
    Map<String, ClientCounts> clients,
    Map<Sha256, Long> modelDigests,
    Instant exportedAt) {

  /** The predicate type. */
  public static final String TYPE = "https://custody.dev/feedback/v1";

  /** The subject's name: the exported dataset file. */
  public static final String SUBJECT = "feedback.jsonl";

  private static final String WHERE = "feedback predicate";
  private static final Set<String> FIELDS =
      Set.of(
          "store",
          "model",
          "heads",
          "records",
          "statuses",
          "clients",
          "modelDigests",
          "exportedAt");
  private static final Set<String> HEAD_FIELDS = Set.of("chain", "seq", "hash");
  private static final Set<String> STATUS_FIELDS = statusWords();

  /**
   * Validates the predicate: the counts per status, per client and per model digest each add up to
   * {@code records}, and no chain is listed twice.
   *
   * @throws IllegalArgumentException if they do not
   */
  public FeedbackExportPredicate {
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(model, "model");
    heads = List.copyOf(heads);
    Set<String> chains = new HashSet<>();
    for (Head h : heads) {
      if (!chains.add(h.chain())) {
        throw new IllegalArgumentException("chain '" + h.chain() + "' has two heads");
      }
    }
    EnumMap<FeedbackStatus, Long> s = new EnumMap<>(FeedbackStatus.class);
    for (FeedbackStatus st : FeedbackStatus.values()) {
      s.put(st, statuses.getOrDefault(st, 0L));
    }
    statuses = java.util.Collections.unmodifiableMap(s);
    clients = java.util.Collections.unmodifiableMap(new TreeMap<>(clients));
    modelDigests = java.util.Collections.unmodifiableMap(byHex(modelDigests));
    // Written to the millisecond: the value read back is the value written.
    exportedAt = exportedAt.truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    String sum = sumMismatch(records, statuses, clients, modelDigests);
    if (sum != null) {
      throw new IllegalArgumentException(sum);
    }
  }

  /**
   * The last record of one chain when the store was read.
   *
   * @param chain the chain's name
   * @param sequence its sequence number
   * @param hash its hash
   */
  public record Head(String chain, long sequence, Sha256 hash) {
    /** Validates the head. */
    public Head {
      Objects.requireNonNull(chain, "chain");
      Objects.requireNonNull(hash, "hash");
      if (sequence < 1) {
        throw new IllegalArgumentException("a head's sequence is >= 1, was " + sequence);
      }
    }
  }

  /**
   * What one client contributed.
   *
   * @param accepted its accepted records
   * @param quarantined its quarantined records
   */
  public record ClientCounts(long accepted, long quarantined) {
    /** Validates the counts. */
    public ClientCounts {
      if (accepted < 0 || quarantined < 0) {
        throw new IllegalArgumentException("counts are >= 0");
      }
    }

    /** All of the client's records. */
    public long total() {
      return accepted + quarantined;
    }
  }

  /** The statement to sign: subject {@value #SUBJECT} with {@code fileDigest}, this predicate. */
  public Statement statement(Sha256 fileDigest) {
    return new Statement(List.of(Statement.Subject.of(SUBJECT, fileDigest)), TYPE, toJson());
  }

  private ObjectNode toJson() {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.put("store", store);
    model.ifPresent(m -> root.put("model", m));
    ArrayNode headArray = root.putArray("heads");
    for (Head h : heads) {
      ObjectNode o = headArray.addObject();
      o.put("chain", h.chain());
      o.put("seq", h.sequence());
      o.put("hash", h.hash().hex());
    }
    root.put("records", records);
    ObjectNode st = root.putObject("statuses");
    statuses.forEach((k, v) -> st.put(k.word(), v));
    ObjectNode cl = root.putObject("clients");
    clients.forEach(
        (id, c) -> {
          ObjectNode o = cl.putObject(id);
          o.put(FeedbackStatus.ACCEPTED.word(), c.accepted());
          o.put(FeedbackStatus.QUARANTINED.word(), c.quarantined());
        });
    ObjectNode md = root.putObject("modelDigests");
    modelDigests.forEach((d, n) -> md.put(d.hex(), n));
    root.put("exportedAt", JsonFields.rfc3339(exportedAt));
    return root;
  }

  /**
   * Reads a verified feedback export statement strictly.
   *
   * @throws VerificationException {@link Reason#UNSUPPORTED} for another predicate type; {@link
   *     Reason#MALFORMED} naming the JSON path for an unknown, missing or mistyped field, a chain
   *     listed twice, counts that do not add up to {@code records}, or a subject other than {@value
   *     #SUBJECT}
   */
  public static FeedbackExportPredicate read(Statement st) throws VerificationException {
    JsonFields.requireType(st, TYPE, "feedback attestation");
    Statement.Subject subject = JsonFields.subject(st, "feedback attestation");
    if (!SUBJECT.equals(subject.name())) {
      throw new VerificationException(
          Reason.MALFORMED,
          "feedback attestation: expected subject "
              + SUBJECT
              + ", found "
              + JsonFields.shown(subject.name()));
    }
    JsonNode p = JsonFields.predicate(st, FIELDS, WHERE);
    String store = JsonFields.text(p, "store", WHERE);
    Optional<String> model =
        p.has("model") ? Optional.of(JsonFields.text(p, "model", WHERE)) : Optional.empty();
    JsonNode headsNode = JsonFields.array(p, "heads", WHERE);
    List<Head> heads = new ArrayList<>();
    Set<String> chains = new HashSet<>();
    for (int i = 0; i < headsNode.size(); i++) {
      String at = WHERE + ".heads[" + i + "]";
      JsonNode h = JsonFields.element(headsNode, i, HEAD_FIELDS, at);
      String chain = JsonFields.text(h, "chain", at);
      if (!chains.add(chain)) {
        throw new VerificationException(
            Reason.MALFORMED, at + ": chain '" + JsonFields.shown(chain) + "' is listed twice");
      }
      long seq = JsonFields.count(h, "seq", at);
      if (seq < 1) {
        throw JsonFields.malformed(at + ".seq", "a sequence number >= 1", h.get("seq"));
      }
      heads.add(new Head(chain, seq, JsonFields.hex(h, "hash", at)));
    }
    long records = JsonFields.count(p, "records", WHERE);
    Map<FeedbackStatus, Long> statuses =
        statusCounts(
            JsonFields.exactObject(p, "statuses", STATUS_FIELDS, WHERE), WHERE + ".statuses");
    JsonNode clientsNode = JsonFields.object(p, "clients", WHERE);
    Map<String, ClientCounts> clients = new TreeMap<>();
    for (Map.Entry<String, JsonNode> e : clientsNode.properties()) {
      String at = WHERE + ".clients." + JsonFields.shown(e.getKey());
      if (e.getKey().isEmpty()) {
        throw new VerificationException(
            Reason.MALFORMED, WHERE + ".clients: expected non-empty client ids, found \"\"");
      }
      JsonNode c =
          JsonFields.exactObject(clientsNode, e.getKey(), STATUS_FIELDS, WHERE + ".clients");
      Map<FeedbackStatus, Long> n = statusCounts(c, at);
      clients.put(
          e.getKey(),
          new ClientCounts(n.get(FeedbackStatus.ACCEPTED), n.get(FeedbackStatus.QUARANTINED)));
    }
    JsonNode digestsNode = JsonFields.object(p, "modelDigests", WHERE);
    Map<Sha256, Long> modelDigests = byHex(Map.of());
    for (Map.Entry<String, JsonNode> e : digestsNode.properties()) {
      Sha256 d;
      try {
        d = new Sha256(e.getKey());
      } catch (IllegalArgumentException ex) {
        throw new VerificationException(
            Reason.MALFORMED,
            WHERE
                + ".modelDigests: expected lower-case hex sha256 keys, found '"
                + JsonFields.shown(e.getKey())
                + "'");
      }
      modelDigests.put(d, JsonFields.count(digestsNode, e.getKey(), WHERE + ".modelDigests"));
    }
    Instant exportedAt = JsonFields.instant(p, "exportedAt", WHERE);
    String sum = sumMismatch(records, statuses, clients, modelDigests);
    if (sum != null) {
      throw new VerificationException(Reason.MALFORMED, WHERE + ": " + sum);
    }
    return new FeedbackExportPredicate(
        store, model, heads, records, statuses, clients, modelDigests, exportedAt);
  }

  private static Map<FeedbackStatus, Long> statusCounts(JsonNode o, String at)
      throws VerificationException {
    Map<FeedbackStatus, Long> out = new EnumMap<>(FeedbackStatus.class);
    for (FeedbackStatus s : FeedbackStatus.values()) {
      out.put(s, JsonFields.count(o, s.word(), at));
    }
    return out;
  }

  /** Why the counts do not add up to {@code records}, or null when they do. */
  private static String sumMismatch(
      long records,
      Map<FeedbackStatus, Long> statuses,
      Map<String, ClientCounts> clients,
      Map<Sha256, Long> modelDigests) {
    long byStatus = statuses.values().stream().mapToLong(Long::longValue).sum();
    long byClient = clients.values().stream().mapToLong(ClientCounts::total).sum();
    long byModel = modelDigests.values().stream().mapToLong(Long::longValue).sum();
    if (byStatus != records || byClient != records || byModel != records) {
      return "expected the counts per status, per client and per model digest to add up to "
          + records
          + " records, found "
          + byStatus
          + ", "
          + byClient
          + " and "
          + byModel;
    }
    return null;
  }

  /** Digests in hex order, so the predicate is written the same way every time. */
  private static TreeMap<Sha256, Long> byHex(Map<Sha256, Long> counts) {
    TreeMap<Sha256, Long> out = new TreeMap<>(java.util.Comparator.comparing(Sha256::hex));
    out.putAll(counts);
    return out;
  }

  private static Set<String> statusWords() {
    Set<String> out = new HashSet<>();
    for (FeedbackStatus s : FeedbackStatus.values()) {
      out.add(s.word());
    }
    return Set.copyOf(out);
  }
}
