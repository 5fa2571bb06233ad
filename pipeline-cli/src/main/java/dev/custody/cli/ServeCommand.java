package dev.custody.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.core.Json;
import dev.custody.core.PipelineException;
import dev.custody.serve.ModelServer;
import dev.custody.serve.ServedModel;
import dev.custody.serve.ServerLimits;
import dev.custody.serve.feedback.FeedbackQuota;
import dev.custody.serve.feedback.FeedbackStore;
import dev.custody.serve.feedback.FeedbackStores;
import dev.custody.verify.TrustPolicy;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code custody serve}: verify a model directory's whole chain, then serve it over the Open
 * Inference Protocol (and MLflow's scoring protocol) until stopped.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Verify a model directory's whole chain, then serve it.",
      "Verify a model directory's whole chain of custody against a trust policy, then serve it:",
      "Open Inference Protocol (KServe V2) REST and MLflow's /invocations. Checks the server's own",
      "classpath against the policy's dependency rule first; opens no port unless every check",
      "passed. Prints one line when ready, then serves until SIGTERM or SIGINT.",
      "With --tokens, clients need a bearer token (custody token new); --rate limits each client;",
      "--tls-keystore serves HTTPS only, optionally requiring client certificates.",
      "--feedback-store takes clients' feedback into a journal file or PostgreSQL (needs --tokens)."
    })
final class ServeCommand implements Callable<Integer>, Errors.JsonFailure {
  /** How long a shutdown waits for the server to finish the requests in flight. */
  private static final long CLOSE_SECONDS = 10;

  @Spec CommandSpec spec;

  @Parameters(paramLabel = "MODEL_DIR", description = "The exported model directory.")
  Path model;

  @Option(
      names = "--policy",
      required = true,
      paramLabel = "FILE",
      description = "The trust policy (YAML).")
  Path policy;

  @Option(
      names = "--host",
      defaultValue = "127.0.0.1",
      paramLabel = "ADDRESS",
      description = "Address to bind (default: ${DEFAULT-VALUE}, loopback only).")
  String host;

  @Option(
      names = "--port",
      defaultValue = "8080",
      paramLabel = "PORT",
      description = "Port to bind (default: ${DEFAULT-VALUE}; 0 picks a free port).")
  int port;

  @Option(
      names = "--max-body",
      paramLabel = "BYTES",
      description = "Largest request body (default 1048576); larger: 413 BODY_TOO_LARGE.")
  Long maxBody;

  @Option(
      names = "--max-rows",
      paramLabel = "N",
      description = "Most rows per inference request (default 1000); more: 413 TOO_MANY_ROWS.")
  Integer maxRows;

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      description = "Longest time to answer a request (default 10); slower: 503 TIMEOUT.")
  Integer timeout;

  @Option(
      names = "--max-in-flight",
      paramLabel = "N",
      description = "Most requests handled at once (default 256); more: 503 OVERLOADED.")
  Integer maxInFlight;

  @Option(
      names = "--max-body-in-flight",
      paramLabel = "BYTES",
      description =
          "Most request-body bytes held at once by all requests (default 8388608, at least one"
              + " --max-body); more: 503 OVERLOADED.")
  Long maxBodyInFlight;

  @Option(
      names = "--access-log",
      paramLabel = "PATH|-",
      description =
          "Write an access log (JSON lines, no bodies, no tokens) to PATH, or stdout (-).")
  String accessLog;

  @Option(
      names = "--feedback-store",
      paramLabel = "LOC",
      description =
          "Take feedback (POST /v2/models/{name}/feedback) into this store: a journal file path,"
              + " or postgresql://host[:port]/db. Needs --tokens. The server records, never"
              + " learns.")
  String feedbackStore;

  @Option(
      names = "--feedback-replica",
      paramLabel = "ID",
      description = "This server's chain in a store shared by several servers (PostgreSQL).")
  String feedbackReplica;

  @Option(
      names = "--feedback-quota",
      paramLabel = "N/DURATION",
      description =
          "Feedback records per client per window, e.g. 100/1h (default; units s, m, h, d);"
              + " more: 429 FEEDBACK_QUOTA_EXCEEDED.")
  String feedbackQuota;

  @Option(
      names = "--feedback-quarantine-above",
      paramLabel = "P",
      description =
          "Record feedback that claims a protected label against a prediction of confidence P"
              + " or more as quarantined (default 0.9).")
  Double quarantineAbove;

  @Option(
      names = "--feedback-quarantine-labels",
      paramLabel = "L[,L...]",
      split = ",",
      description =
          "The protected labels: only feedback claiming one of these is quarantined (default:"
              + " every label of the model but the last, as the train stage's quarantine).")
  List<String> quarantineLabels;

  @Option(names = "--json", description = "Print the ready line (or the failure) as JSON.")
  boolean json;

  @Mixin ServeSecurityOptions security = new ServeSecurityOptions();

  @Override
  public Integer call() throws Exception {
    for (Path p : new Path[] {model, policy}) {
      if (!Files.exists(p)) {
        throw new NoSuchFileException(p.toString());
      }
    }
    if (json && "-".equals(accessLog)) {
      throw new IllegalArgumentException(
          "--access-log -: expected a file with --json, whose stdout carries one JSON document");
    }
    PrintWriter out = spec.commandLine().getOut();
    ModelServer.Builder b =
        ModelServer.builder(model, TrustPolicy.load(policy)).host(host).port(port).limits(limits());
    if ("-".equals(accessLog)) {
      b.accessLog(out);
    } else if (accessLog != null) {
      b.accessLog(Path.of(accessLog));
    }
    security.applyTo(b); // reads the token file and the TLS files: refused before any port opens
    FeedbackStore store = feedbackStore(b);
    try {
      return serve(out, b);
    } finally {
      if (store != null) {
        store.close(); // after the server: no request is still appending
      }
    }
  }

  /**
   * Opens the feedback store, if one is asked for, and gives it to {@code b}; checks every feedback
   * option first, so that a refused command creates no journal.
   */
  private FeedbackStore feedbackStore(ModelServer.Builder b) throws PipelineException {
    if (feedbackStore == null) {
      if (feedbackReplica != null
          || feedbackQuota != null
          || quarantineAbove != null
          || quarantineLabels != null) {
        throw new IllegalArgumentException("the --feedback-* options need --feedback-store");
      }
      return null;
    }
    if (!security.hasTokens()) {
      throw new IllegalArgumentException(
          "--feedback-store needs --tokens: without a token file the server cannot tell clients"
              + " apart to hold each to its quota or count its claim once");
    }
    if (feedbackQuota != null) {
      b.feedbackQuota(FeedbackQuota.parse(feedbackQuota));
    }
    if (quarantineAbove != null) {
      b.feedbackQuarantineAbove(quarantineAbove);
    }
    if (quarantineLabels != null) {
      b.feedbackQuarantineLabels(Set.copyOf(quarantineLabels)); // checked against the model
    }
    FeedbackStore store = FeedbackStores.open(feedbackStore, Optional.ofNullable(feedbackReplica));
    b.feedbackStore(store);
    return store;
  }

  private int serve(PrintWriter out, ModelServer.Builder b) throws Exception {
    ModelServer server = b.build().start(); // fails closed: no port is open on a failure
    CountDownLatch stop = new CountDownLatch(1);
    CountDownLatch closed = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              stop.countDown();
              try {
                closed.await(CLOSE_SECONDS, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "custody-serve-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      ready(out, server);
      stop.await(); // until SIGTERM or SIGINT runs the hook
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // stopped by an embedding thread instead
    } finally {
      server.close(); // lets the requests in flight finish
      closed.countDown();
    }
    if (stop.getCount() != 0) {
      Runtime.getRuntime().removeShutdownHook(hook); // not shutting down: the hook is not needed
    }
    return 0;
  }

  private ServerLimits limits() {
    ServerLimits l = ServerLimits.defaults();
    if (maxBody != null) {
      l = l.withMaxBodyBytes(maxBody);
    }
    if (maxRows != null) {
      l = l.withMaxRows(maxRows);
    }
    if (timeout != null) {
      if (timeout < 1) {
        throw new IllegalArgumentException(
            "--timeout: expected at least 1 second, found " + timeout);
      }
      l = l.withRequestTimeout(Duration.ofSeconds(timeout));
    }
    if (maxInFlight != null) {
      l = l.withMaxInFlight(maxInFlight);
    }
    if (maxBodyInFlight != null) {
      l = l.withMaxBodyBytesInFlight(maxBodyInFlight);
    }
    return l;
  }

  private void ready(PrintWriter out, ModelServer server) {
    ServedModel m = server.model();
    if (json) {
      ObjectNode r = JsonReport.of(spec, true);
      r.put("url", server.uri().toString());
      r.put("model", m.name());
      r.put("version", m.version());
      r.put("digest", m.rootDigest().toString());
      out.println(new String(Json.write(r), StandardCharsets.UTF_8));
    } else {
      out.println(
          "serving "
              + Errors.shown(m.name())
              + " v"
              + m.version()
              + " ("
              + m.rootDigest()
              + ") on "
              + server.uri());
    }
    out.flush();
  }

  @Override
  public void describeFailure(ObjectNode report) {
    report.put("model", model.toString());
  }
}
