package dev.custody.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.core.BundleSigner;
import dev.custody.core.ModelManifest;
import dev.custody.core.ModelSignOptions;
import dev.custody.core.ModelSigning;
import dev.custody.core.ShardManifest;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code custody sign-model}: an OpenSSF Model Signing signature over a model. */
@Command(
    name = "sign-model",
    mixinStandardHelpOptions = true,
    description = {
      "Sign a model directory or file with a key or keylessly.",
      "The signature is in the OpenSSF Model Signing v1.0 format (a Sigstore bundle; readable by",
      "model_signing). Writes DIR/model.sig by default.",
      "Special files are refused anywhere, and symbolic links unless --allow-symlinks (never",
      "under ignored paths, out of the model or dangling); regular files under ignored paths",
      "(.git, .gitattributes, .github, .gitignore unless --no-ignore-git-paths; --ignore) are",
      "listed as not signed. The rules are recorded in the signature.",
      "With --signing-cert (and --cert-chain) the signature carries the certificate chain instead",
      "of a key hint, as model_signing sign certificate writes it."
    })
final class SignModelCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "MODEL", description = "Model directory or file.")
  Path model;

  @Option(
      names = "--key",
      paramLabel = "PRIVATE_KEY",
      description = "PEM private key (mode 0600); or --keyless.")
  Path key;

  @Mixin KeylessOptions keyless = new KeylessOptions();

  @Option(
      names = "--signature",
      paramLabel = "FILE",
      description =
          "Where to write the signature (default: MODEL/model.sig, or MODEL.sig for a file).")
  Path signature;

  @Option(
      names = "--ignore",
      paramLabel = "PATH",
      description =
          "Leave out this path (relative to MODEL); recorded in the signature; repeatable.")
  List<String> ignore = new ArrayList<>();

  @Option(
      names = "--no-ignore-git-paths",
      description =
          "Sign .git, .gitattributes, .github and .gitignore like any file (model_signing's"
              + " --no-ignore-git-paths).")
  boolean noIgnoreGitPaths;

  @Option(
      names = "--allow-symlinks",
      description =
          "Hash a symbolic link as the file it points to, inside MODEL; recorded as"
              + " allow_symlinks: true.")
  boolean allowSymlinks;

  @Option(
      names = "--signing-cert",
      paramLabel = "CERT",
      description =
          "PEM certificate of --key's public key, carried in the signature instead of a key hint"
              + " (as model_signing sign certificate).")
  Path signingCert;

  @Option(
      names = "--cert-chain",
      paramLabel = "PEM",
      description =
          "Further certificates of --signing-cert's chain (intermediates), written after it;"
              + " repeatable.")
  List<Path> certChain = new ArrayList<>();

  @Option(
      names = "--shard-size",
      paramLabel = "SIZE",
      converter = ShardSize.class,
      description =
          "Sign by shards of SIZE bytes (model_signing's 'shards' method; 1GB = 10^9, 1GiB ="
              + " 2^30), hashed in parallel. Default: the 'files' method.")
  Long shardSize;

  @Mixin Passphrase passphrase = new Passphrase();

  @Option(names = "--json", description = "Print the result as JSON (also on failure).")
  boolean json;

  @Override
  public Integer call() throws Exception {
    if (!Files.exists(model)) {
      throw new NoSuchFileException(model.toString());
    }
    Path sig = signature != null ? signature : defaultSignature(model);
    if (Files.isDirectory(sig)) {
      throw new IllegalArgumentException(
          "--signature: expected a file to write, found a directory: " + Errors.shown(sig));
    }
    if (signingCert == null && !certChain.isEmpty()) {
      throw new IllegalArgumentException(
          "--cert-chain: expected --signing-cert too (the chain is of the signing certificate)");
    }
    CommandSigner commandSigner = CommandSigner.of(spec, key, passphrase, keyless);
    ModelSignOptions.Builder options = ModelSignOptions.builder().ignore(ignore);
    if (noIgnoreGitPaths) {
      options.includeGitPaths();
    }
    if (allowSymlinks) {
      options.allowSymlinks();
    }
    BundleSigner signer =
        signingCert == null
            ? commandSigner.bundleSigner()
            : commandSigner.withCertificate(signingCert, certChain);
    if (shardSize != null) {
      return signShards(sig, signer, commandSigner.keyless(), options.build());
    }
    ModelManifest m = ModelSigning.sign(model, sig, signer, options.build());
    if (json) {
      ObjectNode report = JsonNodeFactory.instance.objectNode();
      report.put("model", m.modelName());
      report.put("files", m.resources().size());
      report.put("rootDigest", m.rootDigest().toString());
      report.put("signature", sig.toString());
      finishJson(report, signer, commandSigner.keyless(), m.ignoredFiles());
      return 0;
    }
    var out = spec.commandLine().getOut();
    out.println(
        "signed "
            + Errors.shown(m.modelName())
            + ": "
            + m.resources().size()
            + " files, root "
            + m.rootDigest());
    if (!m.ignoredFiles().isEmpty()) {
      out.println(VerifyModelCommand.ignoredLine(m.ignoredFiles()));
    }
    out.println("signature: " + Errors.shown(sig) + " (" + Errors.shown(signer.describe()) + ")");
    return 0;
  }

  private int signShards(Path sig, BundleSigner signer, boolean keyless, ModelSignOptions options)
      throws Exception {
    ShardManifest m = ModelSigning.signShards(model, sig, signer, options, shardSize);
    if (json) {
      ObjectNode report = JsonNodeFactory.instance.objectNode();
      report.put("model", m.modelName());
      report.put("method", ShardManifest.METHOD);
      report.put("shardSize", m.shardSize());
      report.put("files", m.fileCount());
      report.put("shards", m.shards().size());
      report.put("rootDigest", m.rootDigest().toString());
      report.put("signature", sig.toString());
      finishJson(report, signer, keyless, m.ignoredFiles());
      return 0;
    }
    var out = spec.commandLine().getOut();
    out.println(
        "signed "
            + Errors.shown(m.modelName())
            + ": "
            + m.shards().size()
            + " shards of at most "
            + m.shardSize()
            + " bytes in "
            + m.fileCount()
            + " files, root "
            + m.rootDigest());
    if (!m.ignoredFiles().isEmpty()) {
      out.println(VerifyModelCommand.ignoredLine(m.ignoredFiles()));
    }
    out.println("signature: " + Errors.shown(sig) + " (" + Errors.shown(signer.describe()) + ")");
    return 0;
  }

  /** The signer's fields and the ignored files, then prints the report. */
  private void finishJson(
      ObjectNode report, BundleSigner signer, boolean keyless, List<String> ignoredFiles) {
    if (keyless) {
      report.put("signer", signer.describe());
    } else {
      report.put("keyHint", signer.publicKey().hint());
      signer.certificateSubject().ifPresent(c -> report.put("certificate", c));
    }
    ArrayNode ignored = report.putArray("ignored");
    ignoredFiles.forEach(ignored::add);
    JsonReport.success(spec, report);
  }

  static Path defaultSignature(Path model) {
    return Files.isDirectory(model)
        ? model.resolve(ModelSigning.DEFAULT_SIGNATURE)
        : model.resolveSibling(model.getFileName() + ".sig");
  }
}
