package dev.custody.serve;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The server's Prometheus metrics, in a registry of its own (two servers in one JVM never mix). */
final class Metrics {
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final ExpositionFormats formats = ExpositionFormats.init();

  private final Counter requests =
      Counter.builder()
          .name("custody_requests")
          .help("Requests answered, by endpoint, model, version and outcome (2xx, or the reason)")
          .labelNames("endpoint", "model", "version", "outcome")
          .register(registry);

  private final Histogram latency =
      Histogram.builder()
          .name("custody_request_duration_seconds")
          .help("Time from a request's arrival to its answer, by endpoint")
          .unit(Unit.SECONDS)
          .labelNames("endpoint")
          .classicOnly()
          .classicUpperBounds(
              0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
          .register(registry);

  private final Counter rejections =
      Counter.builder()
          .name("custody_rejections")
          .help("Requests refused, by reason")
          .labelNames("reason")
          .register(registry);

  private final Counter verificationFailures =
      Counter.builder()
          .name("custody_verification_failures")
          .help("Model chains that failed verification on reload, by reason")
          .labelNames("reason")
          .register(registry);

  private final Counter reloads =
      Counter.builder()
          .name("custody_reloads")
          .help("Model reloads, by outcome (success, or the reason of the refusal)")
          .labelNames("outcome")
          .register(registry);

  private final Counter feedback =
      Counter.builder()
          .name("custody_feedback")
          .help("Feedback requests answered 2xx, by status (accepted, quarantined, duplicate)")
          .labelNames("status")
          .register(registry);

  private final Info modelInfo =
      Info.builder()
          .name("custody_model_info")
          .help("The model in service: name, version, root digest and signer")
          .labelNames("name", "version", "digest", "signer")
          .register(registry);

  /** Each endpoint's latency series, bound on its first answer. */
  private final Map<Route.Endpoint, DistributionDataPoint> latencies = new ConcurrentHashMap<>();

  /** The 2xx series of each endpoint for the model last answered with. */
  private volatile Ok ok;

  private static final class Ok {
    final ServedModel model;
    final Map<Route.Endpoint, CounterDataPoint> counters = new ConcurrentHashMap<>();

    Ok(ServedModel model) {
      this.model = model;
    }
  }

  Metrics() {
    JvmMetrics.builder().register(registry);
  }

  /** The registry, for metrics an embedding application adds. */
  PrometheusRegistry registry() {
    return registry;
  }

  /** Puts {@code model} in service: the info series of the previous model goes. */
  void serving(ServedModel model) {
    modelInfo.setLabelValues(
        model.name(), String.valueOf(model.version()), model.digestHeader(), model.signer());
  }

  /**
   * Counts an answer and observes its latency. The series of the common case, a 2xx of the model in
   * service, and each endpoint's latency series are looked up once, not per answer.
   */
  void answered(Route.Endpoint endpoint, ServedModel model, int status, String reason, long nanos) {
    // get() before computeIfAbsent: the lambdas capture, so each call would allocate one.
    DistributionDataPoint l = latencies.get(endpoint);
    if (l == null) {
      l = latencies.computeIfAbsent(endpoint, e -> latency.labelValues(e.label));
    }
    l.observe(nanos / 1e9);
    if (reason == null && model != null && status / 100 == 2) {
      Ok ok = this.ok;
      if (ok == null || ok.model != model) {
        ok = new Ok(model);
        this.ok = ok;
      }
      CounterDataPoint c = ok.counters.get(endpoint);
      if (c == null) {
        c =
            ok.counters.computeIfAbsent(
                endpoint,
                e ->
                    requests.labelValues(
                        e.label, model.name(), String.valueOf(model.version()), "2xx"));
      }
      c.inc();
      return;
    }
    String outcome = reason != null ? reason : (status / 100) + "xx";
    requests
        .labelValues(
            endpoint.label,
            model == null ? "" : model.name(),
            model == null ? "" : String.valueOf(model.version()),
            outcome)
        .inc();
    if (reason != null) {
      rejections.labelValues(reason).inc();
    }
  }

  void feedback(String status) {
    feedback.labelValues(status).inc();
  }

  void reloaded(String outcome) {
    reloads.labelValues(outcome).inc();
  }

  void verificationFailed(String reason) {
    verificationFailures.labelValues(reason).inc();
  }

  /** A scrape in the format {@code accept} asks for (Prometheus text by default). */
  Scrape scrape(String accept) {
    ExpositionFormatWriter writer = formats.findWriter(accept);
    ByteArrayOutputStream out = new ByteArrayOutputStream(16384);
    try {
      writer.write(out, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
    }
    return new Scrape(writer.getContentType(), out.toByteArray());
  }

  /** A scrape's content type and body. */
  @SuppressWarnings("ArrayRecordComponent") // a value passed once, never compared
  record Scrape(String contentType, byte[] body) {}
}
