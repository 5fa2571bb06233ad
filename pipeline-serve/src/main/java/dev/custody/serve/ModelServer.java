package dev.custody.serve;

import dev.custody.core.PipelineException;
import dev.custody.core.Printable;
import dev.custody.core.VerificationException;
import dev.custody.core.feedback.FeedbackLabels;
import dev.custody.serve.feedback.FeedbackQuota;
import dev.custody.serve.feedback.FeedbackStore;
import dev.custody.serve.security.RateLimit;
import dev.custody.serve.security.TlsConfig;
import dev.custody.serve.security.Tokens;
import dev.custody.verify.ChainVerifier;
import dev.custody.verify.ClasspathLock;
import dev.custody.verify.DeserializationFilter;
import dev.custody.verify.TrustPolicy;
import dev.custody.verify.VerifiedChain;
import dev.custody.verify.VerifiedModel;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpHandler;
import io.undertow.server.handlers.GracefulShutdownHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.xnio.Options;
import org.xnio.SslClientAuthMode;

/**
 * The verifying model server: it serves a model only after its whole chain of custody verified
 * under a trust policy, speaking the Open Inference Protocol (KServe V2) REST API and MLflow's
 * scoring protocol.
 *
 * <pre>{@code
 * DeserializationFilter.install(); // first thing in main
 * try (ModelServer server =
 *     ModelServer.builder(Path.of("credit-rf-v2"), TrustPolicy.load(Path.of("policy.yaml")))
 *         .port(8080)
 *         .build()
 *         .start()) {
 *   System.out.println("serving on " + server.uri());
 *   ...
 * }
 * }</pre>
 *
 * <h3>Security guarantees</h3>
 *
 * {@link #start()} fails closed, in this order, and opens no port before every step passed: the
 * deserialization filter must be installed; the server's own classpath must satisfy the policy's
 * dependency rule; the model directory's whole chain must verify ({@link ChainVerifier}); the model
 * is loaded from the verified bytes. A reload verifies the new directory the same way, with the
 * version in service as the rollback floor, and swaps the model atomically only once it passed:
 * every inference answer names, in {@code Custody-Model-Digest}, the root digest of the verified
 * model that computed it.
 *
 * <p>With a {@linkplain Builder#feedbackStore feedback store} the server takes feedback and only
 * records it: each claim is authenticated, validated and predicted like an inference request, held
 * to its client's quota, counted once per client and input, and durable in the store before the
 * 2xx; nothing it records changes the model in service.
 */
public final class ModelServer implements AutoCloseable {
  /** Undertow, XNIO and JBoss Threads log their versions at INFO on start: kept off stderr. */
  private static final List<Logger> QUIET = new ArrayList<>();

  static {
    for (String name : new String[] {"io.undertow", "org.xnio", "org.jboss.threads"}) {
      Logger l = Logger.getLogger(name);
      l.setLevel(Level.WARNING);
      QUIET.add(l); // a logger's level lasts only while it is referenced
    }
  }

  /**
   * The default confidence above which contradicting feedback is quarantined: the seed's attack
   * flips messages the model is sure of, and an honest correction of a sure prediction is rare
   * enough that a reviewer can look at each.
   */
  public static final double DEFAULT_QUARANTINE_ABOVE = 0.9;

  /** How long {@link #close()} waits for requests in flight before stopping anyway. */
  private static final long DRAIN_MILLIS = 5_000;

  private final Path modelDir;
  private final TrustPolicy policy;
  private final String host;
  private final int requestedPort;
  private final ServerLimits limits;
  private final AccessLog accessLog;
  private final RequestFilter filter;
  private final TlsConfig tls;
  private final FeedbackStore feedbackStore;
  private final FeedbackQuota feedbackQuota;
  private final double quarantineAbove;
  private final Set<String> quarantineLabels; // null: the served model's default
  private final Metrics metrics = new Metrics();
  private final AtomicReference<ServedModel> served = new AtomicReference<>();
  private final Object reloadLock = new Object();
  private volatile boolean ready;
  private Undertow undertow;
  private GracefulShutdownHandler shutdown;
  private InetSocketAddress address;

  private ModelServer(Builder b) {
    this.modelDir = b.modelDir;
    this.policy = b.policy;
    this.host = b.host;
    this.requestedPort = b.port;
    this.limits = b.limits;
    this.accessLog = b.accessLog;
    this.tls = b.tls;
    this.feedbackStore = b.feedbackStore;
    this.feedbackQuota = b.feedbackQuota;
    this.quarantineAbove = b.quarantineAbove;
    this.quarantineLabels = b.quarantineLabels;
    RequestFilter access = new AccessControl(b.tokens, b.rateLimit, b.openMetrics);
    RequestFilter own = b.filter;
    this.filter =
        (ex, kind) -> {
          Optional<Rejection> r = access.check(ex, kind);
          return r.isPresent() ? r : own.check(ex, kind);
        };
  }

  /** A builder for a server of the model in {@code modelDir}, verified under {@code policy}. */
  public static Builder builder(Path modelDir, TrustPolicy policy) {
    return new Builder(modelDir, policy);
  }

  /** Builds a {@link ModelServer}; nothing is verified or bound before {@link #start()}. */
  public static final class Builder {
    private final Path modelDir;
    private final TrustPolicy policy;
    private String host = "127.0.0.1";
    private int port = 8080;
    private ServerLimits limits = ServerLimits.defaults();
    private AccessLog accessLog = AccessLog.none();
    private RequestFilter filter = RequestFilter.NONE;
    private Tokens tokens;
    private RateLimit rateLimit;
    private boolean openMetrics;
    private TlsConfig tls;
    private FeedbackStore feedbackStore;
    private FeedbackQuota feedbackQuota = FeedbackQuota.DEFAULT;
    private double quarantineAbove = DEFAULT_QUARANTINE_ABOVE;
    private Set<String> quarantineLabels;

    private Builder(Path modelDir, TrustPolicy policy) {
      this.modelDir = Objects.requireNonNull(modelDir, "modelDir");
      this.policy = Objects.requireNonNull(policy, "policy");
    }

    /** The address to bind (default {@code 127.0.0.1}: loopback only). */
    public Builder host(String host) {
      this.host = Objects.requireNonNull(host, "host");
      return this;
    }

    /** The port to bind (default 8080; 0 picks a free one, see {@link ModelServer#port()}). */
    public Builder port(int port) {
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("port must be in [0, 65535], got " + port);
      }
      this.port = port;
      return this;
    }

    /** The request bounds (default {@link ServerLimits#defaults()}). */
    public Builder limits(ServerLimits limits) {
      this.limits = Objects.requireNonNull(limits, "limits");
      return this;
    }

    /** Writes the access log (JSON lines) to {@code sink}. */
    public Builder accessLog(Appendable sink) {
      this.accessLog = AccessLog.to(Objects.requireNonNull(sink, "sink"));
      return this;
    }

    /** Appends the access log (JSON lines) to {@code file}, created if needed. */
    public Builder accessLog(Path file) throws IOException {
      this.accessLog = AccessLog.to(Objects.requireNonNull(file, "file"));
      return this;
    }

    /**
     * The check every request passes once classified, before its endpoint runs (default: none):
     * authentication, rate limits.
     */
    public Builder requestFilter(RequestFilter filter) {
      this.filter = Objects.requireNonNull(filter, "filter");
      return this;
    }

    /**
     * Requires bearer tokens (default: none, every endpoint open). Health stays open for probes;
     * metadata, inference and {@code /metrics} need a token of role infer or admin, the admin
     * endpoint (model reload) role admin. No token or an unknown one: 401 {@code UNAUTHENTICATED}
     * with {@code WWW-Authenticate: Bearer realm="custody"}; the wrong role: 403 {@code FORBIDDEN}.
     * The access log names the client's id, never its token.
     */
    public Builder tokens(Tokens tokens) {
      this.tokens = Objects.requireNonNull(tokens, "tokens");
      return this;
    }

    /**
     * Limits metadata, inference and admin requests to {@code perSecond} on average, in bursts of
     * up to {@code burst} (default: no limit): per client with {@link #tokens} (a client's own rate
     * in the token file overrides this), else per client address. Beyond it: 429 {@code
     * RATE_LIMITED} with {@code Retry-After}.
     */
    public Builder rateLimit(double perSecond, int burst) {
      this.rateLimit = new RateLimit(perSecond, burst);
      return this;
    }

    /**
     * Serves {@code /metrics} without a token even when {@link #tokens} are required (default:
     * false), for a scraper that cannot send one; bind to a private address then.
     */
    public Builder openMetrics(boolean open) {
      this.openMetrics = open;
      return this;
    }

    /** Serves HTTPS only, with this key, protocol choice and client-certificate mode. */
    public Builder tls(TlsConfig tls) {
      this.tls = Objects.requireNonNull(tls, "tls");
      return this;
    }

    /**
     * Takes feedback on {@code POST /v2/models/{name}/feedback} into {@code store} (default: none,
     * the endpoint answers 404). Requires {@link #tokens}: a server that cannot tell clients apart
     * cannot hold them to a quota or count a client's claim once. Each record is durable in the
     * store before the server answers 2xx; the server never learns from it. The caller opens the
     * store and closes it after the server.
     */
    public Builder feedbackStore(FeedbackStore store) {
      this.feedbackStore = Objects.requireNonNull(store, "store");
      return this;
    }

    /** The records one client may make per window (default {@link FeedbackQuota#DEFAULT}). */
    public Builder feedbackQuota(FeedbackQuota quota) {
      this.feedbackQuota = Objects.requireNonNull(quota, "quota");
      return this;
    }

    /**
     * Feedback that claims a protected label (see {@link #feedbackQuarantineLabels}) against a
     * prediction of the served model at this confidence or above is recorded as quarantined
     * (default 0.9), held out of training until reviewed.
     */
    public Builder feedbackQuarantineAbove(double threshold) {
      if (!(threshold >= 0 && threshold <= 1)) {
        throw new IllegalArgumentException(
            "the quarantine threshold is a probability in [0, 1], got " + threshold);
      }
      this.quarantineAbove = threshold;
      return this;
    }

    /**
     * The protected direction of the quarantine: only feedback claiming one of these labels is
     * quarantined. Default: {@link FeedbackLabels#defaultProtected} of the served model, the train
     * stage's default, so an honest correction towards the positive label is never held. Labels the
     * model does not have refuse {@link #start()}.
     */
    public Builder feedbackQuarantineLabels(Set<String> labels) {
      this.quarantineLabels = Set.copyOf(labels);
      return this;
    }

    /**
     * The server, not started.
     *
     * @throws IllegalArgumentException for a feedback store without tokens
     */
    public ModelServer build() {
      if (feedbackStore != null && tokens == null) {
        throw new IllegalArgumentException(
            "feedback needs bearer tokens: expected a token file (--tokens) with the feedback"
                + " store, found none; without tokens the server cannot tell clients apart to hold"
                + " each to its quota or count its claim once");
      }
      return new ModelServer(this);
    }
  }

  /**
   * Verifies, loads, and only then binds and serves.
   *
   * @return this server, started
   * @throws IllegalStateException if {@link DeserializationFilter#install()} has not run, or the
   *     server was started before
   * @throws PipelineException the reason of the first check that failed: {@link
   *     dev.custody.core.Reason#DEPENDENCY_MISMATCH} for the server's own classpath, or any reason
   *     of {@link ChainVerifier#verify} and {@link VerifiedChain#load()}; no port is opened
   * @throws IOException if the model directory or the policy's lock cannot be read, or the port
   *     cannot be bound
   */
  public synchronized ModelServer start() throws PipelineException, IOException {
    if (undertow != null) {
      throw new IllegalStateException("the server was started before");
    }
    if (!DeserializationFilter.installed()) {
      throw new IllegalStateException(
          "the deserialization filter is not installed: expected DeserializationFilter.install()"
              + " to run first thing in main, before anything is deserialized");
    }
    try {
      startChecked();
    } catch (PipelineException | IOException | RuntimeException e) {
      served.set(null);
      close(); // the access log file, if the builder opened one
      throw e;
    }
    return this;
  }

  private void startChecked() throws PipelineException, IOException {
    ClasspathLock.requireRunningClasspathAllowed(policy);
    ServedModel model = verifyAndLoad(modelDir, ChainVerifier.builder(policy).build());
    Optional<String> unknown = unknownQuarantineLabels(model);
    if (unknown.isPresent()) {
      throw new IllegalArgumentException(unknown.get()); // a bad option: refused before binding
    }
    served.set(model);
    metrics.serving(model);
    Api api =
        new Api(
            new Api.Host() {
              @Override
              public ServedModel current() {
                return served.get();
              }

              @Override
              public boolean ready() {
                return ready;
              }

              @Override
              public ServedModel reload(Path dir) throws PipelineException, IOException {
                return ModelServer.this.reload(dir);
              }
            },
            limits,
            metrics,
            accessLog,
            filter,
            feedbackStore == null
                ? null
                : new FeedbackIntake(
                    feedbackStore,
                    feedbackQuota,
                    quarantineAbove,
                    quarantineLabels,
                    metrics,
                    java.time.Clock.systemUTC()),
            projectVersion(),
            openApi());
    shutdown = Handlers.gracefulShutdown(api);
    Undertow u = undertow(shutdown);
    try {
      u.start();
    } catch (RuntimeException e) {
      u.stop();
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new IOException(
          "cannot listen on " + host + ":" + requestedPort + ": " + cause.getMessage(), e);
    }
    undertow = u;
    address = (InetSocketAddress) u.getListenerInfo().get(0).getAddress();
    ready = true;
  }

  /**
   * The Undertow server: one HTTP (or, with TLS, HTTPS) listener on the configured address, with
   * the limits that belong to the connection rather than to a request. The one place a listener is
   * configured.
   */
  private Undertow undertow(HttpHandler root) {
    Undertow.Builder b = Undertow.builder();
    if (tls == null) {
      b.addHttpListener(requestedPort, host);
    } else {
      // The context fixes protocols and AEAD suites on every engine; Undertow sets client auth.
      b.addHttpsListener(requestedPort, host, tls.sslContext())
          .setSocketOption(Options.SSL_CLIENT_AUTH_MODE, clientAuthMode(tls.clientAuth()));
    }
    return b.setServerOption(UndertowOptions.MAX_HEADER_SIZE, 16 * 1024)
        .setServerOption(UndertowOptions.MAX_PARAMETERS, 100)
        .setServerOption(UndertowOptions.MAX_HEADERS, 100)
        // A client that sends its headers slowly (slowloris) is cut off.
        .setServerOption(
            UndertowOptions.REQUEST_PARSE_TIMEOUT, (int) limits.requestTimeout().toMillis())
        .setServerOption(UndertowOptions.NO_REQUEST_TIMEOUT, 60_000)
        .setServerOption(UndertowOptions.ALWAYS_SET_DATE, true)
        .setHandler(root)
        .build();
  }

  private static SslClientAuthMode clientAuthMode(TlsConfig.ClientAuth mode) {
    return switch (mode) {
      case NONE -> SslClientAuthMode.NOT_REQUESTED;
      case WANT -> SslClientAuthMode.REQUESTED;
      case NEED -> SslClientAuthMode.REQUIRED;
    };
  }

  /** Why {@code model} cannot take feedback with the configured quarantine labels, if it cannot. */
  private Optional<String> unknownQuarantineLabels(ServedModel model) {
    if (feedbackStore == null || quarantineLabels == null) {
      return Optional.empty();
    }
    List<String> unknown =
        quarantineLabels.stream().filter(l -> !model.classes().contains(l)).sorted().toList();
    return unknown.isEmpty()
        ? Optional.empty()
        : Optional.of(
            "feedback quarantine labels: expected labels of the served model "
                + model.classes()
                + ", found "
                + unknown.stream().map(l -> Printable.of(l, 80)).toList());
  }

  private ServedModel verifyAndLoad(Path dir, ChainVerifier verifier)
      throws VerificationException, IOException {
    VerifiedChain chain = verifier.verify(dir);
    VerifiedModel model = chain.load();
    return new ServedModel(dir, chain, model);
  }

  /**
   * Verifies the model directory {@code dir} with the version in service as the rollback floor and,
   * if its whole chain verifies and its model loads, puts it in service atomically. Requests in
   * flight finish on the model they started with; the model in service stays on any failure.
   *
   * @return the model now in service
   * @throws PipelineException {@link dev.custody.core.Reason#ROLLBACK} for a version lower than the
   *     one in service, {@link dev.custody.core.Reason#MODEL_MISMATCH} for another model's name, or
   *     the reason verification or loading failed with
   * @throws IOException if the directory cannot be read
   */
  public ServedModel reload(Path dir) throws PipelineException, IOException {
    synchronized (reloadLock) { // one reload at a time: each checks against the one in service
      ServedModel current = served.get();
      if (current == null) {
        throw new IllegalStateException("the server is not started");
      }
      ServedModel next;
      try {
        next =
            verifyAndLoad(
                dir, ChainVerifier.builder(policy).versionInService(current.version()).build());
        Optional<String> unknown = unknownQuarantineLabels(next);
        if (unknown.isPresent()) {
          throw new VerificationException(dev.custody.core.Reason.MODEL_MISMATCH, unknown.get());
        }
        if (!next.name().equals(current.name())) {
          throw new VerificationException(
              dev.custody.core.Reason.MODEL_MISMATCH,
              "expected a model named "
                  + current.name()
                  + " (the one in service), found "
                  + dev.custody.core.Printable.of(next.name(), 80));
        }
      } catch (VerificationException e) {
        metrics.verificationFailed(e.reason().name());
        metrics.reloaded(e.reason().name());
        throw e;
      }
      served.set(next);
      metrics.serving(next);
      metrics.reloaded("success");
      return next;
    }
  }

  /** The model in service. */
  public ServedModel model() {
    ServedModel m = served.get();
    if (m == null) {
      throw new IllegalStateException("the server is not started");
    }
    return m;
  }

  /** The port the server listens on (the one picked, if the builder asked for 0). */
  public int port() {
    return started().getPort();
  }

  /** {@code http://host:port}, or {@code https://host:port} with {@link Builder#tls}. */
  public URI uri() {
    InetSocketAddress a = started();
    String h = a.getAddress().getHostAddress();
    return URI.create(
        (tls == null ? "http://" : "https://")
            + (h.contains(":") ? "[" + h + "]" : h)
            + ":"
            + a.getPort());
  }

  /**
   * The server's metrics registry, for metrics an embedding application adds to {@code /metrics}.
   */
  public PrometheusRegistry metricsRegistry() {
    return metrics.registry();
  }

  /**
   * Stops reporting ready ({@code /v2/health/ready} answers 503 {@code NOT_READY}) while still
   * serving, so that a load balancer stops sending requests before {@link #close()}.
   */
  public void drain() {
    ready = false;
  }

  private synchronized InetSocketAddress started() {
    if (address == null) {
      throw new IllegalStateException("the server is not started");
    }
    return address;
  }

  /** Stops accepting requests, lets those in flight finish (up to 5 s), then stops. */
  @Override
  public synchronized void close() {
    ready = false;
    // Undertow's stop waits for its threads and fails on an interrupted thread: stop first, then
    // restore the interrupt for the caller.
    boolean interrupted = Thread.interrupted();
    try {
      if (undertow != null) {
        shutdown.shutdown();
        try {
          shutdown.awaitShutdown(DRAIN_MILLIS);
        } catch (InterruptedException e) {
          interrupted = true;
        }
        undertow.stop();
        undertow = null;
      }
      accessLog.close();
    } catch (IOException e) {
      System.getLogger(ModelServer.class.getName())
          .log(System.Logger.Level.WARNING, "access log: cannot close: " + e.getMessage());
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static String projectVersion() {
    Properties p = new Properties();
    try (InputStream in = ModelServer.class.getResourceAsStream("version.properties")) {
      if (in == null) {
        throw new IllegalStateException("version.properties is missing from the serve jar");
      }
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p.getProperty("version");
  }

  private static byte[] openApi() {
    try (InputStream in = ModelServer.class.getResourceAsStream("dataplane.json")) {
      if (in == null) {
        throw new IllegalStateException("dataplane.json is missing from the serve jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
