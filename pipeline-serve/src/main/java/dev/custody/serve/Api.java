package dev.custody.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.core.Json;
import dev.custody.core.PipelineException;
import dev.custody.serve.Route.Endpoint;
import dev.custody.verify.Prediction;
import io.undertow.server.ExchangeCompletionListener;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The HTTP API: every request is classified once ({@link Route#of}), passed through the {@link
 * RequestFilter}, admitted against the in-flight bound, given its deadline, and answered exactly
 * once, with a JSON error body for every refusal. Bodies are read without blocking on the I/O
 * thread; a small inference body is answered there too (parsing and prediction are CPU work of a
 * few microseconds, less than handing it to a worker thread), anything larger, and every reload, on
 * a worker thread.
 */
final class Api implements HttpHandler {
  /** The header naming the root digest of the model that answered an inference request. */
  static final HttpString MODEL_DIGEST = new HttpString("Custody-Model-Digest");

  static final String JSON = "application/json";

  private static final System.Logger LOG = System.getLogger(Api.class.getName());
  private static final byte[] LIVE = "{\"live\":true}".getBytes(StandardCharsets.UTF_8);
  private static final byte[] READY = "{\"ready\":true}".getBytes(StandardCharsets.UTF_8);

  /**
   * The largest inference body answered on the I/O thread (a few rows): the worker handoff cost a
   * one-row request more CPU than its prediction. Larger bodies go to a worker so that a batch
   * never holds up the other connections of its I/O thread.
   */
  static final int INLINE_BODY_BYTES = 4096;

  /** What the server does that the API needs: the model in service and reloading it. */
  interface Host {
    ServedModel current();

    boolean ready();

    ServedModel reload(Path modelDir) throws PipelineException, IOException;
  }

  private final Host host;
  private final ServerLimits limits;
  private final Metrics metrics;
  private final AccessLog accessLog;
  private final RequestFilter filter;
  private final FeedbackIntake feedback;
  private final byte[] serverMetadata;
  private final byte[] openApi;
  private final AtomicInteger inFlight = new AtomicInteger();

  /** Request-body bytes held by requests not yet finished, bounded by the limits' budget. */
  private final AtomicLong bodyBytesInFlight = new AtomicLong();

  /** Requests the deadline sweep still watches: a queue add per request, not a timer each. */
  private final Queue<State> pending = new ConcurrentLinkedQueue<>();

  private final AtomicBoolean sweeping = new AtomicBoolean();

  Api(
      Host host,
      ServerLimits limits,
      Metrics metrics,
      AccessLog accessLog,
      RequestFilter filter,
      FeedbackIntake feedback,
      String version,
      byte[] openApi) {
    this.host = host;
    this.limits = limits;
    this.metrics = metrics;
    this.accessLog = accessLog;
    this.filter = filter;
    this.feedback = feedback;
    ObjectNode meta = JsonNodeFactory.instance.objectNode();
    meta.put("name", "custody");
    meta.put("version", version);
    meta.putArray("extensions").add("model_repository");
    this.serverMetadata = Json.write(meta);
    this.openApi = openApi.clone();
  }

  private static final VarHandle ANSWERED;
  private static final VarHandle BODY_BYTES;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      ANSWERED = lookup.findVarHandle(State.class, "answered", boolean.class);
      BODY_BYTES = lookup.findVarHandle(State.class, "bodyBytes", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /**
   * The per-request state every thread of a request shares, and the listener that finishes the
   * request: one object per request (the atomics are fields, not objects of their own).
   */
  private final class State implements ExchangeCompletionListener {
    final long start = System.nanoTime();

    /**
     * The exchange, until the request finishes: the sweep keeps a finished request's state until
     * its next pass, and the exchange with its headers and buffers kept that long was copied by
     * every young collection meanwhile.
     */
    volatile HttpServerExchange exchange;

    /** Whether the request has its answer (or is over): set once, by {@link #claim}. */
    volatile boolean answered;

    volatile Endpoint endpoint = Endpoint.UNKNOWN;
    volatile ServedModel model;
    volatile String reason;
    volatile boolean holdsSlot;

    /** Body bytes this request holds of {@link Api#bodyBytesInFlight}, given back at its end. */
    @SuppressWarnings("UnusedVariable") // read and written through BODY_BYTES
    volatile long bodyBytes;

    State(HttpServerExchange exchange) {
      this.exchange = exchange;
    }

    @Override
    public void exchangeEvent(HttpServerExchange done, NextListener next) {
      finish(done, this);
      next.proceed();
    }
  }

  @Override
  public void handleRequest(HttpServerExchange ex) {
    State st = new State(ex);
    ex.addExchangeCompleteListener(st);
    try {
      Route route = Route.of(ex.getRequestPath());
      st.endpoint = route.endpoint();
      if (route.endpoint() == Endpoint.UNKNOWN) {
        throw new ApiException(404, ServeReasons.NOT_FOUND, "no such path: " + shown(ex));
      }
      if (!ex.getRequestMethod().toString().equals(route.endpoint().method)) {
        throw new ApiException(
            new Rejection(
                405,
                ServeReasons.METHOD_NOT_ALLOWED,
                "expected "
                    + route.endpoint().method
                    + " for "
                    + ex.getRequestPath()
                    + ", found "
                    + dev.custody.core.Printable.of(ex.getRequestMethod().toString(), 20),
                Map.of("Allow", route.endpoint().method)));
      }
      if (route.endpoint().method.equals("GET")
          && !ex.isRequestComplete()
          && (ex.getRequestContentLength() > 0
              || ex.getRequestHeaders().contains(Headers.TRANSFER_ENCODING))) {
        ex.setPersistent(false); // a body nobody reads: close rather than drain it
      }
      Optional<Rejection> refused = filter.check(ex, route.kind());
      if (refused.isPresent()) {
        throw new ApiException(refused.get());
      }
      if (route.kind() != EndpointKind.HEALTH && route.kind() != EndpointKind.METRICS) {
        if (inFlight.incrementAndGet() > limits.maxInFlight()) {
          inFlight.decrementAndGet();
          throw new ApiException(
              new Rejection(
                  503,
                  ServeReasons.OVERLOADED,
                  "expected at most " + limits.maxInFlight() + " requests in flight; retry later",
                  Map.of("Retry-After", "1")));
        }
        st.holdsSlot = true;
      }
      dispatch(ex, st, route);
      if (!st.answered) {
        // Only a request still waiting (its body, a worker) needs the sweep: a small inference
        // body already here is read, predicted and answered above, on this thread (most requests).
        watchDeadline(ex, st);
      }
    } catch (ApiException e) {
      reject(ex, st, e.rejection());
    } catch (RuntimeException e) {
      internal(ex, st, e);
    }
  }

  private void dispatch(HttpServerExchange ex, State st, Route route) throws ApiException {
    switch (route.endpoint()) {
      case HEALTH_LIVE -> answer(ex, st, 200, LIVE, JSON);
      case HEALTH_READY -> {
        if (!host.ready()) {
          throw notReady();
        }
        answer(ex, st, 200, READY, JSON);
      }
      case SERVER_METADATA -> answer(ex, st, 200, serverMetadata, JSON);
      case DOCS -> answer(ex, st, 200, openApi, JSON);
      case MODEL_METADATA -> answer(ex, st, 200, model(st, route).metadata(), JSON);
      case MODEL_READY -> {
        ServedModel m = model(st, route);
        if (!host.ready()) {
          throw notReady();
        }
        ObjectNode r = JsonNodeFactory.instance.objectNode();
        r.put("name", m.name());
        r.put("ready", true);
        answer(ex, st, 200, Json.write(r), JSON);
      }
      case METRICS -> {
        String accept = ex.getRequestHeaders().getFirst(Headers.ACCEPT);
        ex.dispatch(
            () -> {
              Metrics.Scrape s = metrics.scrape(accept);
              answer(ex, st, 200, s.body(), s.contentType());
            });
      }
      case INFER -> {
        ServedModel m = model(st, route);
        requireJson(ex);
        readBody(ex, st, true, body -> infer(m, body));
      }
      case INVOCATIONS -> {
        ServedModel m = host.current();
        st.model = m;
        boolean csv = mediaType(ex).equals("text/csv");
        if (!csv) {
          requireJson(ex);
        }
        readBody(ex, st, true, body -> invocations(m, body, csv));
      }
      case FEEDBACK -> {
        if (feedback == null) {
          throw new ApiException(
              404,
              ServeReasons.NOT_FOUND,
              "feedback is not enabled on this server: expected a server started with a feedback"
                  + " store (custody serve --feedback-store)");
        }
        ServedModel m = model(st, route);
        dev.custody.serve.security.Client client = ex.getAttachment(AccessControl.CLIENT);
        requireJson(ex);
        // Not cpuOnly: the append waits for fsync or a database commit, never on an I/O thread.
        readBody(
            ex,
            st,
            false,
            body -> {
              FeedbackIntake.Answer a = feedback.take(m, client, parse(body), limits.maxRows());
              return new Answer(a.status(), a.body(), true);
            });
      }
      case LOAD -> {
        ServedModel m = model(st, route);
        requireJson(ex);
        readBody(ex, st, false, body -> load(m, body));
      }
      default -> throw new ApiException(404, ServeReasons.NOT_FOUND, "no such path");
    }
  }

  /** The served model, if the route names it (and its version, if the route has one). */
  private ServedModel model(State st, Route route) throws ApiException {
    ServedModel m = host.current(); // read once: the request finishes on this model
    if (!m.name().equals(route.model())) {
      throw new ApiException(
          404,
          ServeReasons.NOT_FOUND,
          "unknown model: expected "
              + Inference.quote(m.name())
              + ", found "
              + Inference.quote(route.model()));
    }
    if (route.version() != null && !route.version().equals(String.valueOf(m.version()))) {
      throw new ApiException(
          404,
          ServeReasons.NOT_FOUND,
          "unknown version of "
              + m.name()
              + ": expected \""
              + m.version()
              + "\", found "
              + Inference.quote(route.version()));
    }
    st.model = m;
    return m;
  }

  private static ApiException notReady() {
    return new ApiException(503, ServeReasons.NOT_READY, "the server is shutting down");
  }

  /** Work on a request body. */
  @FunctionalInterface
  private interface BodyWork {
    Answer apply(byte[] body) throws ApiException;
  }

  /** A successful answer: status, JSON body, and whether it carries the model digest. */
  @SuppressWarnings("ArrayRecordComponent") // a value passed once, never compared
  private record Answer(int status, ByteBuffer body, boolean digest) {
    Answer(int status, byte[] body, boolean digest) {
      this(status, ByteBuffer.wrap(body), digest);
    }
  }

  /**
   * Reads the body without blocking, counting its bytes: Undertow's own entity-size bound would
   * terminate the connection without an answer (and print a stack trace) on a chunked body.
   *
   * @param cpuOnly whether {@code work} only computes (no file or network I/O), so that a small
   *     body may be answered on the I/O thread
   */
  private void readBody(HttpServerExchange ex, State st, boolean cpuOnly, BodyWork work)
      throws ApiException {
    long declared = ex.getRequestContentLength();
    if (declared > limits.maxBodyBytes()) {
      ex.setPersistent(false); // the body stays unread
      throw tooLarge("found Content-Length " + declared);
    }
    // The body so far: nothing, then its first chunk (Undertow gives each callback its own
    // array), then from a second chunk with bytes a ByteArrayOutputStream. Undertow often hands a
    // small body over as one chunk and then an empty last one: the body is that first chunk,
    // neither copied into a buffer nor copied out of it.
    Object[] sofar = new Object[1];
    ex.getRequestReceiver()
        .receivePartialBytes(
            (e, chunk, last) -> {
              if (st.answered) {
                return; // timed out while reading
              }
              int held =
                  sofar[0] == null
                      ? 0
                      : sofar[0] instanceof byte[] first
                          ? first.length
                          : ((ByteArrayOutputStream) sofar[0]).size();
              if (held + (long) chunk.length > limits.maxBodyBytes()) {
                e.getRequestReceiver().pause();
                e.setPersistent(false); // the rest stays unread
                reject(e, st, tooLarge("found more (a chunked body)").rejection());
                return;
              }
              if (!reserveBody(st, chunk.length)) {
                e.getRequestReceiver().pause();
                e.setPersistent(false);
                reject(e, st, bodiesOverloaded().rejection());
                return;
              }
              if (last) {
                byte[] body;
                if (held == 0) {
                  body = chunk;
                } else if (chunk.length == 0 && sofar[0] instanceof byte[] first) {
                  body = first;
                } else {
                  body = append(sofar, chunk, declared).toByteArray();
                }
                run(e, st, cpuOnly, work, body);
              } else if (sofar[0] == null) {
                sofar[0] = chunk;
              } else if (chunk.length > 0) {
                append(sofar, chunk, declared);
              }
            },
            (e, error) -> {
              // The client went away mid-body: nobody to answer.
              st.reason = ServeReasons.CLIENT_ABORTED;
              e.setPersistent(false);
              e.endExchange();
            });
  }

  /** Appends {@code chunk} to the body so far, turning a first chunk into a buffer. */
  private ByteArrayOutputStream append(Object[] sofar, byte[] chunk, long declared) {
    ByteArrayOutputStream buf;
    if (sofar[0] instanceof ByteArrayOutputStream b) {
      buf = b;
    } else {
      buf =
          new ByteArrayOutputStream(
              (int) (declared >= 0 ? declared : Math.min(limits.maxBodyBytes(), 8192)));
      if (sofar[0] instanceof byte[] first) {
        buf.write(first, 0, first.length);
      }
      sofar[0] = buf;
    }
    buf.write(chunk, 0, chunk.length);
    return buf;
  }

  /** Does the work on a whole body: here on the I/O thread if it is small and CPU-only. */
  private void run(HttpServerExchange ex, State st, boolean cpuOnly, BodyWork work, byte[] body) {
    if (cpuOnly && body.length <= INLINE_BODY_BYTES) {
      work(ex, st, work, body);
    } else {
      ex.dispatch(() -> work(ex, st, work, body));
    }
  }

  private void work(HttpServerExchange ex, State st, BodyWork work, byte[] body) {
    try {
      Answer a = work.apply(body);
      if (claim(st)) { // headers only once the answer is ours: a deadline may be sending its own
        if (a.digest()) {
          ex.getResponseHeaders().put(MODEL_DIGEST, st.model.digestHeader());
        }
        send(ex, a.status(), a.body(), JSON);
      }
    } catch (ApiException x) {
      reject(ex, st, x.rejection());
    } catch (RuntimeException x) {
      internal(ex, st, x);
    }
  }

  /** Takes {@code bytes} from the shared body budget for this request, or refuses to. */
  private boolean reserveBody(State st, int bytes) {
    if (bodyBytesInFlight.addAndGet(bytes) > limits.bodyBytesBudget()) {
      bodyBytesInFlight.addAndGet(-bytes);
      return false;
    }
    BODY_BYTES.getAndAdd(st, (long) bytes);
    return true;
  }

  private ApiException bodiesOverloaded() {
    return new ApiException(
        new Rejection(
            503,
            ServeReasons.OVERLOADED,
            "expected at most "
                + limits.bodyBytesBudget()
                + " request-body bytes in flight; retry later",
            Map.of("Retry-After", "1")));
  }

  private ApiException tooLarge(String found) {
    return new ApiException(
        413,
        ServeReasons.BODY_TOO_LARGE,
        "expected a body of at most " + limits.maxBodyBytes() + " bytes, " + found);
  }

  private Answer infer(ServedModel m, byte[] body) throws ApiException {
    Inference.Request req = InferenceStream.read(body, m.columns(), limits.maxRows());
    if (req == null) { // the tree reader accepts it or says why not
      req = Inference.read(parse(body), m.columns(), limits.maxRows());
    }
    Inference.Predictions p = Inference.predictInClassOrder(m, req.rows());
    return new Answer(200, Inference.response(m, req, p), true);
  }

  private Answer invocations(ServedModel m, byte[] body, boolean csv) throws ApiException {
    List<Map<String, Object>> rows =
        csv
            ? Mlflow.readCsv(body, limits.maxRows())
            : Mlflow.readJson(parse(body), limits.maxRows());
    List<Prediction> p = Inference.predict(m, rows);
    return new Answer(200, Json.write(Mlflow.response(m, p)), true);
  }

  private Answer load(ServedModel current, byte[] body) throws ApiException {
    JsonNode root = parse(body);
    JsonNode path = root.path("parameters").path("path");
    if (!root.isObject() || !path.isTextual() || path.asText().isEmpty()) {
      throw Inference.invalid(
          "expected {\"parameters\": {\"path\": \"<model directory>\"}}, found no path");
    }
    ServedModel next;
    try {
      next = host.reload(Path.of(path.asText()));
    } catch (PipelineException e) {
      throw new ApiException(409, e.reason().name(), e.getMessage());
    } catch (NoSuchFileException e) {
      metrics.reloaded(ServeReasons.INVALID_INPUT);
      throw Inference.invalid("no such model directory: " + Inference.quote(path.asText()));
    } catch (IOException | java.nio.file.InvalidPathException e) {
      metrics.reloaded(ServeReasons.INVALID_INPUT);
      throw Inference.invalid(
          "cannot read model directory " + Inference.quote(path.asText()) + ": " + e.getMessage());
    }
    ObjectNode r = JsonNodeFactory.instance.objectNode();
    r.put("name", next.name());
    r.put("version", String.valueOf(next.version()));
    r.put("model_root_digest", next.rootDigest().toString());
    r.put("previous_version", String.valueOf(current.version()));
    return new Answer(200, Json.write(r), false);
  }

  private static JsonNode parse(byte[] body) throws ApiException {
    try {
      return Json.parse(body, "request body");
    } catch (PipelineException e) {
      throw new ApiException(400, ServeReasons.MALFORMED, e.getMessage());
    }
  }

  private static String mediaType(HttpServerExchange ex) {
    String ct = ex.getRequestHeaders().getFirst(Headers.CONTENT_TYPE);
    if (ct == null) {
      return "";
    }
    int semi = ct.indexOf(';');
    return (semi < 0 ? ct : ct.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
  }

  private static void requireJson(HttpServerExchange ex) throws ApiException {
    String mt = mediaType(ex);
    if (!mt.equals(JSON)) {
      throw new ApiException(
          415,
          ServeReasons.UNSUPPORTED_MEDIA_TYPE,
          "expected Content-Type "
              + JSON
              + (ex.getRequestPath().equals("/invocations") ? " or text/csv" : "")
              + ", found "
              + (mt.isEmpty() ? "none" : Inference.quote(mt)));
    }
  }

  /**
   * Puts the request under the deadline sweep, started on the first request on one I/O thread (it
   * stops with the server's threads). One per-request timer measured 4% of the CPU under load; the
   * sweep's pass over every answered request showed in a profile too (8 of 355 samples), so a
   * request answered before its handler returns is not queued (a deadline counts from the start).
   * Every 10 ms, not 100: each request's state stays queued until the next pass, and under load
   * every young collection copied the states of the last pass period (about 4,000 at 100 ms).
   */
  private void watchDeadline(HttpServerExchange ex, State st) {
    if (!sweeping.get() && sweeping.compareAndSet(false, true)) {
      long every = Math.max(1, Math.min(10, limits.requestTimeout().toMillis() / 4));
      ex.getIoThread().executeAtInterval(this::sweep, every, TimeUnit.MILLISECONDS);
    }
    pending.add(st);
  }

  /**
   * Forgets the answered requests and answers, on its own I/O thread, each one past its deadline.
   */
  private void sweep() {
    long now = System.nanoTime();
    long timeout = limits.requestTimeout().toNanos();
    for (Iterator<State> it = pending.iterator(); it.hasNext(); ) {
      State st = it.next();
      HttpServerExchange ex = st.exchange;
      if (st.answered || ex == null) {
        it.remove();
      } else if (now - st.start >= timeout) {
        it.remove();
        ex.getIoThread().execute(() -> timedOut(ex, st));
      }
    }
  }

  private void timedOut(HttpServerExchange ex, State st) {
    // The body may be unread or the worker still busy: answer, then close the connection.
    ex.setPersistent(false);
    reject(
        ex,
        st,
        Rejection.of(
            503,
            ServeReasons.TIMEOUT,
            "expected an answer within " + limits.requestTimeout().toMillis() + " ms"));
  }

  private void internal(HttpServerExchange ex, State st, RuntimeException e) {
    LOG.log(
        System.Logger.Level.ERROR,
        "internal error on " + ex.getRequestMethod() + " " + st.endpoint.label,
        e);
    reject(ex, st, Rejection.of(500, ServeReasons.INTERNAL, "internal server error"));
  }

  private void reject(HttpServerExchange ex, State st, Rejection r) {
    if (!claim(st)) {
      return;
    }
    st.reason = r.reason();
    r.headers().forEach((k, v) -> ex.getResponseHeaders().put(new HttpString(k), v));
    if (st.model != null
        && (st.endpoint.kind == EndpointKind.INFERENCE
            || st.endpoint.kind == EndpointKind.FEEDBACK)) {
      ex.getResponseHeaders().put(MODEL_DIGEST, st.model.digestHeader());
    }
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.put("error", r.message());
    body.put("reason", r.reason());
    send(ex, r.status(), Json.write(body), JSON);
  }

  private void answer(HttpServerExchange ex, State st, int status, byte[] body, String type) {
    if (claim(st)) {
      send(ex, status, body, type);
    }
  }

  /** The one answer of a request: the first of the endpoint, a refusal or the deadline wins. */
  private static boolean claim(State st) {
    return ANSWERED.compareAndSet(st, false, true);
  }

  private static void send(HttpServerExchange ex, int status, byte[] body, String type) {
    send(ex, status, ByteBuffer.wrap(body), type);
  }

  private static void send(HttpServerExchange ex, int status, ByteBuffer body, String type) {
    ex.setStatusCode(status);
    ex.getResponseHeaders().put(Headers.CONTENT_TYPE, type);
    ex.getResponseSender().send(body);
  }

  private void finish(HttpServerExchange ex, State st) {
    if (st.holdsSlot) {
      inFlight.decrementAndGet();
    }
    long heldBytes = (long) BODY_BYTES.getAndSet(st, 0L);
    if (heldBytes > 0) {
      bodyBytesInFlight.addAndGet(-heldBytes);
    }
    st.answered = true; // over, answered or not (a client gone): no deadline may answer it now
    st.exchange = null; // the sweep forgets the state on its next pass: not the exchange with it
    long nanos = System.nanoTime() - st.start;
    ServedModel m = st.model;
    int status = ex.getStatusCode();
    metrics.answered(st.endpoint, m, status, st.reason, nanos);
    if (!accessLog.enabled()) {
      return;
    }
    InetSocketAddress peer = ex.getSourceAddress();
    accessLog.log(
        Instant.now(),
        peer == null ? "" : peer.getAddress().getHostAddress(),
        dev.custody.core.Printable.of(ex.getRequestMethod().toString(), 20),
        ex.getRequestPath(),
        status,
        st.reason,
        nanos / 1e6,
        m == null ? null : m.digestHeader(),
        clientId(ex));
  }

  /** The authenticated client's id (never its token), or null without tokens. */
  private static String clientId(HttpServerExchange ex) {
    dev.custody.serve.security.Client c = ex.getAttachment(AccessControl.CLIENT);
    return c == null ? null : c.id();
  }

  private static String shown(HttpServerExchange ex) {
    return Inference.quote(ex.getRequestPath());
  }
}
