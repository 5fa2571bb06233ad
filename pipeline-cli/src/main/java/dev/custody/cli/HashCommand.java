package dev.custody.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.core.ModelManifest;
import dev.custody.core.ShardManifest;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code custody hash}: SHA-256 of a file, or the model manifest of a directory. */
@Command(
    name = "hash",
    mixinStandardHelpOptions = true,
    description = {
      "Print the model root digest of a file or directory.",
      "The OpenSSF Model Signing 'files' method, as model_signing computes it: for a file, the",
      "root digest alone (sha256:HEX, as `model_signing digest` prints it); for a directory,",
      "the SHA-256 of every file and then the root digest. --json lists every file's digest.",
      "Special files are refused anywhere, and symbolic links unless --allow-symlinks; regular",
      "files under ignored paths (.git, .gitattributes, .github, .gitignore unless",
      "--no-ignore-git-paths; --ignore) are listed as ignored."
    })
final class HashCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "FILE|DIR", description = "What to hash.")
  Path target;

  @Option(
      names = "--ignore",
      paramLabel = "PATH",
      description = "Leave out this path (relative to DIR); repeatable.")
  List<String> ignore = new ArrayList<>();

  @Option(
      names = "--no-ignore-git-paths",
      description = "Hash .git, .gitattributes, .github and .gitignore like any file.")
  boolean noIgnoreGitPaths;

  @Option(
      names = "--allow-symlinks",
      description = "Hash a symbolic link inside DIR as the file it points to.")
  boolean allowSymlinks;

  @Option(
      names = "--shard-size",
      paramLabel = "SIZE",
      converter = ShardSize.class,
      description =
          "Hash by shards of SIZE bytes, in parallel (model_signing's 'shards' method; 1GB ="
              + " 10^9, 1GiB = 2^30).")
  Long shardSize;

  @Option(names = "--json", description = "Print JSON.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    if (!Files.exists(target)) {
      throw new NoSuchFileException(target.toString());
    }
    List<String> ignores =
        new ArrayList<>(noIgnoreGitPaths ? List.of() : ModelManifest.DEFAULT_IGNORES);
    ignores.addAll(ignore);
    if (shardSize != null) {
      return printShards(ShardManifest.hash(target, ignores, allowSymlinks, shardSize));
    }
    ModelManifest m = ModelManifest.hash(target, ignores, allowSymlinks);
    var out = spec.commandLine().getOut();
    if (json) {
      ObjectNode root = JsonNodeFactory.instance.objectNode();
      root.put("name", m.modelName());
      root.put("rootDigest", m.rootDigest().toString());
      ObjectNode files = root.putObject("files");
      m.resources().forEach(r -> files.put(r.name(), r.digest().toString()));
      ArrayNode ignored = root.putArray("ignored");
      m.ignoredFiles().forEach(ignored::add);
      JsonReport.success(spec, root);
    } else if (Files.isRegularFile(target)) {
      // model_signing digest prints the root digest only: SHA-256 over the file's raw digest.
      out.println(m.rootDigest());
    } else {
      m.resources().forEach(r -> out.println(r.digest().hex() + "  " + Errors.shown(r.name())));
      out.println(m.rootDigest().hex() + "  (root digest of " + m.resources().size() + " files)");
      if (!m.ignoredFiles().isEmpty()) {
        out.println(VerifyModelCommand.ignoredLine(m.ignoredFiles()));
      }
    }
    return 0;
  }

  private int printShards(ShardManifest m) {
    var out = spec.commandLine().getOut();
    if (json) {
      ObjectNode root = JsonNodeFactory.instance.objectNode();
      root.put("name", m.modelName());
      root.put("method", ShardManifest.METHOD);
      root.put("shardSize", m.shardSize());
      root.put("rootDigest", m.rootDigest().toString());
      ObjectNode shards = root.putObject("shards");
      m.shards().forEach(s -> shards.put(s.name(), s.digest().toString()));
      ArrayNode ignored = root.putArray("ignored");
      m.ignoredFiles().forEach(ignored::add);
      JsonReport.success(spec, root);
      return 0;
    }
    m.shards().forEach(s -> out.println(s.digest().hex() + "  " + Errors.shown(s.name())));
    out.println(
        m.rootDigest().hex()
            + "  (root digest of "
            + m.shards().size()
            + " shards of at most "
            + m.shardSize()
            + " bytes)");
    if (!m.ignoredFiles().isEmpty()) {
      out.println(VerifyModelCommand.ignoredLine(m.ignoredFiles()));
    }
    return 0;
  }
}
