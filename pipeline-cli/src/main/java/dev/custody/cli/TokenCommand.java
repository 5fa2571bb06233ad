package dev.custody.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.core.AtomicFiles;
import dev.custody.serve.security.Client;
import dev.custody.serve.security.RateLimit;
import dev.custody.serve.security.Role;
import dev.custody.serve.security.TokenFile;
import dev.custody.serve.security.Tokens;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code custody token}: bearer tokens for {@code custody serve}. */
@Command(
    name = "token",
    mixinStandardHelpOptions = true,
    description = "Manage the bearer tokens of custody serve's token file.",
    subcommands = {TokenCommand.New.class})
final class TokenCommand {

  @Command(
      name = "new",
      mixinStandardHelpOptions = true,
      description = {
        "Add a client to the token file with a new bearer token.",
        "Generate a bearer token for a new client and add the client to the token file.",
        "The token (32 random bytes) is printed once, alone on stdout; the file keeps only its",
        "SHA-256. The file is rewritten atomically, with mode 0600, in canonical form (comments",
        "are not kept)."
      })
  static final class New implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--id", required = true, paramLabel = "ID", description = "The client's id.")
    String id;

    @Option(
        names = "--role",
        defaultValue = "infer",
        paramLabel = "ROLE",
        description = "infer (default) or admin (may also infer).")
    String role;

    @Option(
        names = "--tokens",
        defaultValue = "tokens.yaml",
        paramLabel = "FILE",
        description = "The token file, created if missing (default: ${DEFAULT-VALUE}).")
    Path tokens;

    @Option(
        names = "--rate",
        paramLabel = "R",
        description = "The client's own rate limit, requests per second (with --burst).")
    Double rate;

    @Option(
        names = "--burst",
        paramLabel = "B",
        description = "The client's largest burst of requests (with --rate).")
    Integer burst;

    @Option(names = "--json", description = "Print {ok, command, id, token} as JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
      Role r = Role.ofWord(role.toLowerCase(Locale.ROOT));
      if ((rate == null) != (burst == null)) {
        throw new IllegalArgumentException("give --rate and --burst together");
      }
      Optional<RateLimit> limit =
          rate == null ? Optional.empty() : Optional.of(new RateLimit(rate, burst));
      TokenFile file =
          Files.exists(tokens, LinkOption.NOFOLLOW_LINKS)
              ? TokenFile.load(tokens)
              : TokenFile.empty();
      String token = Tokens.generate(new SecureRandom());
      TokenFile.Entry entry = new TokenFile.Entry(new Client(id, r, limit), Tokens.digest(token));
      AtomicFiles.replaceOwnerOnly(tokens, file.with(entry).toYaml());
      var out = spec.commandLine().getOut();
      if (json) {
        ObjectNode report = JsonNodeFactory.instance.objectNode();
        report.put("id", id);
        report.put("role", r.word());
        report.put("tokens", tokens.toString());
        report.put("token", token);
        JsonReport.success(spec, report);
      } else {
        out.println(token);
        spec.commandLine()
            .getErr()
            .println(
                "added client "
                    + id
                    + " (role "
                    + r.word()
                    + ") to "
                    + Errors.shown(tokens)
                    + "; the token above is shown only once");
      }
      out.flush();
      return 0;
    }
  }
}
