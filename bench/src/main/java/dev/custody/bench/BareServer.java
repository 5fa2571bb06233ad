package dev.custody.bench;

import io.undertow.Undertow;
import io.undertow.util.Headers;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Blocker;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.thread.Invocable.InvocationType;

/**
 * A bare HTTP handler on one of the stacks compared by {@code scripts/bench-stack}: it reads the
 * whole request body and answers a fixed small JSON document, so that wrk measures the stack and
 * nothing else. {@code scripts/bench-serve} runs the Undertow one as the baseline of {@code custody
 * serve}, which is built on the same Undertow.
 *
 * <p>Usage: {@code java -cp ... dev.custody.bench.BareServer STACK [PORT]} with STACK one of {@code
 * undertow}, {@code jetty-nonblocking}, {@code jetty-blocking}; PORT 0 (the default) picks a free
 * one. Binds 127.0.0.1, prints {@code listening on http://127.0.0.1:PORT} once it accepts
 * connections, and runs until the process is stopped.
 */
public final class BareServer {

  /** The fixed answer: about the size of a one-row OIP inference response's envelope. */
  static final byte[] ANSWER =
      "{\"id\":\"bench\",\"outputs\":[{\"name\":\"label\",\"datatype\":\"BYTES\",\"shape\":[1],\"data\":[\"good\"]}]}"
          .getBytes(StandardCharsets.UTF_8);

  private static final String JSON = "application/json";
  private static final int MAX_BODY = 1 << 20;
  private static final String HOST = "127.0.0.1";

  /** The stacks under comparison. */
  public enum Stack {
    /** Undertow 2.4, a plain {@code HttpHandler} that reads the body on the I/O thread. */
    UNDERTOW,
    /** Jetty 12.1 core {@code Handler.Abstract.NonBlocking}: async body read, async write. */
    JETTY_NONBLOCKING,
    /** Jetty 12.1 core {@code Handler.Abstract} in blocking style: blocking read and write. */
    JETTY_BLOCKING;

    /**
     * The stack named on the command line.
     *
     * @param name {@code undertow}, {@code jetty-nonblocking} or {@code jetty-blocking}
     * @return the stack
     * @throws IllegalArgumentException if the name is none of these
     */
    public static Stack parse(String name) {
      for (Stack s : values()) {
        if (s.cliName().equals(name)) {
          return s;
        }
      }
      throw new IllegalArgumentException(
          "unknown stack '" + name + "': expected undertow, jetty-nonblocking or jetty-blocking");
    }

    /**
     * The command-line name of this stack.
     *
     * @return e.g. {@code jetty-nonblocking}
     */
    public String cliName() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  /** A started server. */
  public interface Running extends AutoCloseable {
    /**
     * The bound port.
     *
     * @return the port on 127.0.0.1
     */
    int port();

    /** Stops the server. */
    @Override
    void close();
  }

  private BareServer() {}

  /**
   * Starts the bare handler of a stack on 127.0.0.1.
   *
   * @param stack which stack
   * @param port the port, 0 for a free one
   * @return the started server
   * @throws Exception if the server does not start
   */
  public static Running start(Stack stack, int port) throws Exception {
    return switch (stack) {
      case UNDERTOW -> startUndertow(port);
      case JETTY_NONBLOCKING -> startJetty(port, new NonBlockingHandler());
      case JETTY_BLOCKING -> startJetty(port, new BlockingHandler());
    };
  }

  /**
   * Runs one server until the process is stopped.
   *
   * @param args STACK [PORT]
   * @throws Exception if the server does not start
   */
  public static void main(String[] args) throws Exception {
    if (args.length < 1 || args.length > 2) {
      System.err.println(
          "usage: BareServer undertow|jetty-nonblocking|jetty-blocking [PORT (0: a free one)]");
      System.exit(2);
    }
    Running server = start(Stack.parse(args[0]), args.length == 2 ? Integer.parseInt(args[1]) : 0);
    Runtime.getRuntime().addShutdownHook(new Thread(server::close));
    System.out.println("listening on http://" + HOST + ":" + server.port());
    System.out.flush();
    // The servers' own non-daemon threads keep the JVM running.
  }

  private static Running startUndertow(int port) {
    Undertow server =
        Undertow.builder()
            .addHttpListener(port, HOST)
            .setHandler(
                exchange ->
                    exchange
                        .getRequestReceiver()
                        .receiveFullBytes(
                            (ex, body) -> {
                              ex.getResponseHeaders().put(Headers.CONTENT_TYPE, JSON);
                              ex.getResponseSender().send(ByteBuffer.wrap(ANSWER));
                            }))
            .build();
    server.start();
    int bound = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
    return new Running() {
      @Override
      public int port() {
        return bound;
      }

      @Override
      public void close() {
        server.stop();
      }
    };
  }

  private static Running startJetty(int port, Handler handler) throws Exception {
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost(HOST);
    connector.setPort(port);
    server.addConnector(connector);
    server.setHandler(handler);
    server.start();
    int bound = connector.getLocalPort();
    return new Running() {
      @Override
      public int port() {
        return bound;
      }

      @Override
      public void close() {
        try {
          server.stop();
        } catch (Exception e) { // Jetty's LifeCycle.stop() declares Exception
          throw new IllegalStateException("jetty did not stop: " + e, e);
        }
      }
    };
  }

  private static void answer(Response response, Callback callback) {
    response.setStatus(200);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, JSON);
    response.write(true, ByteBuffer.wrap(ANSWER), callback);
  }

  /** Jetty's non-blocking style: nothing in handle() waits; the body arrives in a promise. */
  private static final class NonBlockingHandler extends Handler.Abstract.NonBlocking {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      Content.Source.asByteArrayAsync(
          request,
          MAX_BODY,
          Promise.Invocable.from(
              InvocationType.NON_BLOCKING, body -> answer(response, callback), callback::failed));
      return true;
    }
  }

  /** Jetty's blocking style: the handler thread waits for the body and for the write. */
  private static final class BlockingHandler extends Handler.Abstract {
    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
      Content.Source.asByteBuffer(request);
      try (Blocker.Callback written = Blocker.callback()) {
        answer(response, written);
        written.block();
      }
      callback.succeeded();
      return true;
    }
  }
}
