package dev.custody.train;

import dev.custody.core.PipelineException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/** Waiting for work run on a thread of its own (hashing beside parsing and screening). */
final class Background {
  private Background() {}

  /**
   * The task's result; what the task threw, as it threw it, so that an I/O error or a refusal on
   * the other thread reaches the user exactly as it would have on this one.
   *
   * @param what what the task does, for the message of an interruption ("hashing the rows")
   */
  static <T> T await(Future<T> task, String what) throws IOException, PipelineException {
    try {
      return task.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while " + what);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof IOException io) {
        throw io;
      }
      if (c instanceof PipelineException pe) {
        throw pe;
      }
      if (c instanceof RuntimeException re) {
        throw re;
      }
      if (c instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(what + " failed", c);
    }
  }
}
