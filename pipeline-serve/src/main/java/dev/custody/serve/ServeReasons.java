package dev.custody.serve;

/**
 * The stable reason codes the server answers with, beside {@link dev.custody.core.Reason}'s (a
 * reload refused for a verification failure answers with that failure's reason, e.g. {@code
 * ROLLBACK}).
 */
public final class ServeReasons {
  /** 400: a request value the signed schema refuses, or an input of the wrong shape or type. */
  public static final String INVALID_INPUT = "INVALID_INPUT";

  /** 400: a body that is not the JSON or CSV its content type says. */
  public static final String MALFORMED = "MALFORMED";

  /** 404: no such path, model or version. */
  public static final String NOT_FOUND = "NOT_FOUND";

  /** 405: the path exists, the method does not ({@code Allow} lists those that do). */
  public static final String METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED";

  /** 413: a body larger than {@link ServerLimits#maxBodyBytes()}. */
  public static final String BODY_TOO_LARGE = "BODY_TOO_LARGE";

  /** 413: more rows than {@link ServerLimits#maxRows()}. */
  public static final String TOO_MANY_ROWS = "TOO_MANY_ROWS";

  /** 415: a content type the endpoint does not read. */
  public static final String UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE";

  /** 503: the server is draining and no longer reports ready. */
  public static final String NOT_READY = "NOT_READY";

  /**
   * 503: {@link ServerLimits#maxInFlight()} requests, or {@link
   * ServerLimits#maxBodyBytesInFlight()} request-body bytes, are already in flight.
   */
  public static final String OVERLOADED = "OVERLOADED";

  /** 503: the request took longer than {@link ServerLimits#requestTimeout()}. */
  public static final String TIMEOUT = "TIMEOUT";

  /**
   * 429: a client that already made its {@linkplain dev.custody.serve.feedback.FeedbackQuota
   * feedback quota} of records in this window; nothing is recorded, {@code Retry-After} says when
   * the next window opens.
   */
  public static final String FEEDBACK_QUOTA_EXCEEDED = "FEEDBACK_QUOTA_EXCEEDED";

  /** 500: a fault of the server, logged on the server; the client gets no details. */
  public static final String INTERNAL = "INTERNAL";

  /** Never answered: the client closed the connection mid-body (metrics and access log only). */
  public static final String CLIENT_ABORTED = "CLIENT_ABORTED";

  private ServeReasons() {}
}
