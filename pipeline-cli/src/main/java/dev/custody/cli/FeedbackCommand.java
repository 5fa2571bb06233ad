package dev.custody.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.core.PipelineException;
import dev.custody.core.Printable;
import dev.custody.core.SigningKey;
import dev.custody.core.chain.FeedbackExportPredicate;
import dev.custody.core.feedback.FeedbackEntry;
import dev.custody.core.feedback.FeedbackRecord;
import dev.custody.core.feedback.FeedbackStatus;
import dev.custody.serve.feedback.FeedbackExport;
import dev.custody.serve.feedback.FeedbackStore;
import dev.custody.serve.feedback.FeedbackStores;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code custody feedback}: export, review and verify what a server's feedback store holds. */
@Command(
    name = "feedback",
    mixinStandardHelpOptions = true,
    description = "Export, review and verify the feedback a model server recorded.",
    subcommands = {
      FeedbackCommand.Export.class,
      FeedbackCommand.Review.class,
      FeedbackCommand.Verify.class
    })
final class FeedbackCommand {
  /** Longest input value shown by {@code review}: enough to judge a message, bounded. */
  static final int MAX_INPUT_SHOWN = 200;

  private FeedbackCommand() {}

  /** The {@code --store} option and the JSON of a failure, shared by the verbs. */
  static final class StoreOption {
    @Option(
        names = "--store",
        required = true,
        paramLabel = "LOCATION",
        description =
            "The feedback store: a journal file, or postgresql://host[:port]/db?user=..."
                + " (the server must not hold a journal open: it is locked).")
    String location;

    /** Opens the store; a journal must exist (a typo must not verify as an empty store). */
    FeedbackStore open() throws PipelineException, NoSuchFileException {
      if (!location.contains("://")) {
        PipelineOptions.requireFile(Path.of(location));
      }
      return FeedbackStores.open(location, Optional.empty());
    }

    /** Every record of a store, verified, and the store as its messages describe it. */
    record Contents(List<FeedbackRecord> records, String described) {}

    /** Opens the store, reads and verifies every record, and closes it. */
    Contents readAll() throws PipelineException, NoSuchFileException {
      try (FeedbackStore s = open()) {
        return new Contents(s.readAll(), s.describe());
      }
    }

    /** The location as a failure report may show it: a URL without user, password or query. */
    String shown() {
      if (location == null || !location.contains("://")) {
        return String.valueOf(location);
      }
      try {
        URI u = new URI(location);
        return u.getScheme()
            + "://"
            + u.getHost()
            + (u.getPort() < 0 ? "" : ":" + u.getPort())
            + u.getPath();
      } catch (URISyntaxException e) {
        return location.substring(0, location.indexOf("://") + 3) + "…";
      }
    }
  }

  private static ObjectNode heads(ObjectNode root, List<FeedbackExportPredicate.Head> heads) {
    ArrayNode a = root.putArray("heads");
    for (FeedbackExportPredicate.Head h : heads) {
      a.addObject().put("chain", h.chain()).put("seq", h.sequence()).put("hash", h.hash().hex());
    }
    return root;
  }

  private static List<FeedbackExportPredicate.Head> headsOf(List<FeedbackRecord> records) {
    Map<String, FeedbackRecord> last = new LinkedHashMap<>();
    records.forEach(r -> last.put(r.chain(), r));
    return last.values().stream()
        .map(r -> new FeedbackExportPredicate.Head(r.chain(), r.sequence(), r.hash()))
        .toList();
  }

  @Command(
      name = "export",
      mixinStandardHelpOptions = true,
      description = {
        "Export a verified feedback store with a signed attestation.",
        "Read the whole feedback store, verifying every hash chain (a broken chain exports",
        "nothing), and write DIR/feedback.jsonl (the records' canonical lines, chain by chain)",
        "and DIR/feedback.jsonl.attestation.sigstore.json: a signed in-toto statement about that",
        "file counting its records per status, per client and per model digest."
      })
  static final class Export implements Callable<Integer>, Errors.JsonFailure {
    @Spec CommandSpec spec;

    @Mixin StoreOption store = new StoreOption();

    @Option(
        names = "--key",
        required = true,
        paramLabel = "PRIVATE_KEY",
        description = "Key that signs the attestation.")
    Path key;

    @Mixin Passphrase passphrase = new Passphrase();

    @Option(
        names = "--model",
        paramLabel = "NAME",
        description = "Export only the feedback on this model.")
    String model;

    @Option(
        names = {"-o", "--out"},
        required = true,
        paramLabel = "DIR",
        description = "Directory to write to (created if missing; an earlier export is kept).")
    Path out;

    @Option(names = "--json", description = "Print the result as JSON (also on failure).")
    boolean json;

    @Override
    public Integer call() throws Exception {
      SigningKey k = PipelineOptions.key(key, passphrase);
      FeedbackExport.Result r;
      try (FeedbackStore s = store.open()) {
        r =
            FeedbackExport.export(
                s, Optional.ofNullable(model), PipelineOptions.signer(k), out, Clock.systemUTC());
      }
      FeedbackExportPredicate p = r.predicate();
      PrintWriter o = spec.commandLine().getOut();
      if (json) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("exported", true);
        root.put("store", p.store());
        p.model().ifPresent(m -> root.put("model", m));
        root.put("file", r.file().toString());
        root.put("fileDigest", r.fileDigest().toString());
        root.put("attestation", r.attestation().toString());
        root.put("signer", "key " + k.publicKey().hint());
        root.put("records", p.records());
        ObjectNode st = root.putObject("statuses");
        p.statuses().forEach((s, n) -> st.put(s.word(), n));
        ObjectNode cl = root.putObject("clients");
        p.clients()
            .forEach(
                (c, n) ->
                    cl.putObject(c)
                        .put("accepted", n.accepted())
                        .put("quarantined", n.quarantined()));
        heads(root, p.heads());
        JsonReport.success(spec, root);
        return 0;
      }
      o.printf(
          Locale.ROOT,
          "exported %d records (%d accepted, %d quarantined) from %d clients of %s%s%n",
          p.records(),
          p.statuses().get(FeedbackStatus.ACCEPTED),
          p.statuses().get(FeedbackStatus.QUARANTINED),
          p.clients().size(),
          Errors.shown(p.store()),
          p.model().map(m -> " (model " + Errors.shown(m) + ")").orElse(""));
      for (FeedbackExportPredicate.Head h : p.heads()) {
        o.printf(
            Locale.ROOT,
            "  chain %s verified up to seq %d, head %s%n",
            Errors.shown(h.chain()),
            h.sequence(),
            h.hash().hex());
      }
      o.println("dataset:     " + Errors.shown(r.file()) + " (" + r.fileDigest() + ")");
      o.println(
          "attestation: " + Errors.shown(r.attestation()) + " (key " + k.publicKey().hint() + ")");
      o.flush();
      return 0;
    }

    @Override
    public void describeFailure(ObjectNode report) {
      report.put("exported", false);
      report.put("out", String.valueOf(out));
    }
  }

  @Command(
      name = "review",
      mixinStandardHelpOptions = true,
      description = {
        "List the quarantined feedback records.",
        "They claim a protected label against a confident prediction of the model that served",
        "it, and are held out of training until reviewed.",
        "The store is verified first; inputs are shown escaped and truncated."
      })
  static final class Review implements Callable<Integer>, Errors.JsonFailure {
    @Spec CommandSpec spec;

    @Mixin StoreOption store = new StoreOption();

    @Option(names = "--json", description = "Print the records as JSON (also on failure).")
    boolean json;

    @Override
    public Integer call() throws Exception {
      StoreOption.Contents read = store.readAll();
      List<FeedbackRecord> all = read.records();
      String described = read.described();
      List<FeedbackRecord> held =
          all.stream().filter(r -> r.entry().status() == FeedbackStatus.QUARANTINED).toList();
      PrintWriter o = spec.commandLine().getOut();
      if (json) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("store", described);
        root.put("records", all.size());
        root.put("quarantined", held.size());
        ArrayNode a = root.putArray("items");
        for (FeedbackRecord r : held) {
          FeedbackEntry e = r.entry();
          ObjectNode n = a.addObject();
          n.put("chain", r.chain());
          n.put("seq", r.sequence());
          n.put("time", e.time().toString());
          n.put("client", e.client());
          n.put("model", e.model());
          n.put("label", shown(e.label()));
          n.putObject("served")
              .put("label", shown(e.servedLabel()))
              .put("confidence", e.servedConfidence());
          n.put("why", shown(e.why()));
          ObjectNode in = n.putObject("input");
          new TreeMap<>(e.input()).forEach((c, v) -> in.put(shown(c), shown(v)));
          e.predictionId().ifPresent(p -> n.put("predictionId", shown(p)));
        }
        JsonReport.success(spec, root);
        return 0;
      }
      o.printf(
          Locale.ROOT,
          "%d of %d records in %s are quarantined%n",
          held.size(),
          all.size(),
          Errors.shown(described));
      for (FeedbackRecord r : held) {
        FeedbackEntry e = r.entry();
        o.printf(
            Locale.ROOT,
            "%s #%d  %s  client %s  model %s%n",
            Errors.shown(r.chain()),
            r.sequence(),
            e.time(),
            Errors.shown(e.client()),
            Errors.shown(e.model()));
        o.printf(
            Locale.ROOT,
            "  claims %s; served %s (confidence %.4f)%n",
            shown(e.label()),
            shown(e.servedLabel()),
            e.servedConfidence());
        o.println("  why: " + shown(e.why()));
        for (Map.Entry<String, String> in : new TreeMap<>(e.input()).entrySet()) {
          o.println("  " + shown(in.getKey()) + ": " + shown(in.getValue()));
        }
      }
      o.flush();
      return 0;
    }

    @Override
    public void describeFailure(ObjectNode report) {
      report.put("store", store.shown());
    }
  }

  @Command(
      name = "verify",
      mixinStandardHelpOptions = true,
      description = {
        "Verify every hash chain of a feedback store.",
        "Prints its counts and heads. Exits",
        "with the code of FEEDBACK_STORE_INVALID (75) naming the first record that does not",
        "verify."
      })
  static final class Verify implements Callable<Integer>, Errors.JsonFailure {
    @Spec CommandSpec spec;

    @Mixin StoreOption store = new StoreOption();

    @Option(names = "--json", description = "Print the result as JSON (also on failure).")
    boolean json;

    @Override
    public Integer call() throws Exception {
      StoreOption.Contents read = store.readAll();
      List<FeedbackRecord> all = read.records();
      String described = read.described();
      Map<FeedbackStatus, Long> statuses = new EnumMap<>(FeedbackStatus.class);
      for (FeedbackStatus st : FeedbackStatus.values()) {
        statuses.put(st, 0L);
      }
      Map<String, Long> clients = new TreeMap<>();
      for (FeedbackRecord r : all) {
        statuses.merge(r.entry().status(), 1L, Long::sum);
        clients.merge(r.entry().client(), 1L, Long::sum);
      }
      List<FeedbackExportPredicate.Head> heads = headsOf(all);
      PrintWriter o = spec.commandLine().getOut();
      if (json) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("verified", true);
        root.put("store", described);
        root.put("records", all.size());
        ObjectNode st = root.putObject("statuses");
        statuses.forEach((s, n) -> st.put(s.word(), n));
        ObjectNode cl = root.putObject("clients");
        clients.forEach(cl::put);
        heads(root, heads);
        JsonReport.success(spec, root);
        return 0;
      }
      o.printf(
          Locale.ROOT,
          "verified %s: %d records (%d accepted, %d quarantined) from %d clients%n",
          Errors.shown(described),
          all.size(),
          statuses.get(FeedbackStatus.ACCEPTED),
          statuses.get(FeedbackStatus.QUARANTINED),
          clients.size());
      for (FeedbackExportPredicate.Head h : heads) {
        o.printf(
            Locale.ROOT,
            "  chain %s: %d records, head %s%n",
            Errors.shown(h.chain()),
            h.sequence(),
            h.hash().hex());
      }
      o.flush();
      return 0;
    }

    @Override
    public void describeFailure(ObjectNode report) {
      report.put("verified", false);
      report.put("store", store.shown());
    }
  }

  /** An untrusted value (user input) as one escaped, bounded line. */
  static String shown(String value) {
    return Printable.line(value, MAX_INPUT_SHOWN);
  }
}
