package dev.custody.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.core.CertificateChainVerifier;
import dev.custody.core.InputFiles;
import dev.custody.core.KeyBundleVerifier;
import dev.custody.core.KeylessBundleVerifier;
import dev.custody.core.ModelManifest;
import dev.custody.core.ModelSigning;
import dev.custody.core.ModelVerifyOptions;
import dev.custody.core.PipelineException;
import dev.custody.core.Printable;
import dev.custody.core.Reason;
import dev.custody.core.VerificationKey;
import dev.custody.core.VerifiedManifest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code custody verify-model}: check a model against its signature and a trusted signer. */
@Command(
    name = "verify-model",
    mixinStandardHelpOptions = true,
    description = {
      "Verify a model directory or file against its signature.",
      "The signature is in the OpenSSF Model Signing format (custody sign-model, model_signing).",
      "The whole file set is recomputed: a missing, extra, renamed or changed file fails.",
      "Both serialization methods are read: 'files' and 'shards' (every shard is re-hashed,",
      "in parallel; a truncated, extended or changed file fails naming the shard).",
      "Special files are refused anywhere; symbolic links are followed only where the",
      "signature allows them and --allow-symlinks is given, never out of the model. Regular",
      "files under ignored paths (the signature's ignore_paths, --ignore) are not verified and",
      "are listed; so are unsigned files with --ignore-unsigned-files.",
      "Give the signer as --key PUBLIC_KEY, or keyless as --identity, --issuer and --trusted-root",
      "or --trust-config.",
      "A signature made with a certificate chain and no transparency log (model_signing sign",
      "certificate) verifies with --certificate-chain CA.pem: the chain is checked now, not at",
      "signing time."
    })
final class VerifyModelCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "MODEL", description = "Model directory or file.")
  Path model;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Signer signer;

  /** Who must have signed: a key, or a keyless identity. One of the two is required. */
  static final class Signer {
    @Option(
        names = "--key",
        required = true,
        paramLabel = "PUBLIC_KEY",
        description = "Trusted PEM public key (P-256, P-384 or P-521).")
    Path key;

    @ArgGroup(exclusive = false)
    Keyless keyless;

    @Option(
        names = "--certificate-chain",
        required = true,
        paramLabel = "PEM",
        description =
            "Trusted CA certificates (PEM: the root, and intermediates), for a signature made with"
                + " a certificate chain (model_signing sign certificate); repeatable.")
    List<Path> certificateChain;
  }

  /**
   * A keyless (Fulcio certificate + Rekor entry) signer, checked offline against a trusted root.
   */
  static final class Keyless {
    @Option(
        names = "--identity",
        required = true,
        paramLabel = "ID",
        description = "Required certificate identity (e-mail or workflow URI).")
    String identity;

    @Option(
        names = "--issuer",
        required = true,
        paramLabel = "URL",
        description = "Required OIDC issuer of that identity.")
    String issuer;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Instance instance;
  }

  /** The Sigstore instance the signature is checked against, offline: one of the two. */
  static final class Instance {
    @Option(
        names = "--trusted-root",
        required = true,
        paramLabel = "FILE",
        description = "Sigstore trusted_root.json (offline).")
    Path trustedRoot;

    @Option(
        names = "--trust-config",
        required = true,
        paramLabel = "FILE",
        description =
            "Sigstore ClientTrustConfig (as model_signing --trust_config, cosign); its trustedRoot"
                + " is used (offline).")
    Path trustConfig;
  }

  @Option(
      names = "--signature",
      paramLabel = "FILE",
      description = "The signature (default: MODEL/model.sig, or MODEL.sig for a file).")
  Path signature;

  @Option(
      names = "--ignore",
      paramLabel = "PATH",
      description = "Also leave out this path (relative to MODEL); repeatable.")
  List<String> ignore = new ArrayList<>();

  @Option(
      names = "--allow-symlinks",
      description =
          "Follow symbolic links inside MODEL where the signature allows them (allow_symlinks);"
              + " without it every link fails (model_signing's --allow_symlinks).")
  boolean allowSymlinks;

  @Option(
      names = "--ignore-unsigned-files",
      description =
          "Tolerate files the signature does not list: not read, not verified, listed"
              + " (model_signing's --ignore_unsigned_files).")
  boolean ignoreUnsignedFiles;

  @Option(names = "--json", description = "Print the result as JSON.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    if (!java.nio.file.Files.exists(model)) {
      throw new java.nio.file.NoSuchFileException(model.toString());
    }
    Path sig = signature != null ? signature : SignModelCommand.defaultSignature(model);
    // The signature is checked before anything opens it: a FIFO would block the open forever, and
    // the default model.sig lies inside the (untrusted) model, where a link is never followed.
    InputFiles.requireRegular(
        sig,
        "a model signature (Sigstore bundle)",
        Reason.MALFORMED,
        signature != null ? InputFiles.Links.FOLLOW : InputFiles.Links.REFUSE);
    ModelVerifyOptions.Builder options = ModelVerifyOptions.builder().ignore(ignore);
    if (allowSymlinks) {
      options.allowSymlinks();
    }
    if (ignoreUnsignedFiles) {
      options.ignoreUnsignedFiles();
    }
    VerifiedManifest v;
    if (signer.key != null) {
      KeyBundleVerifier verifier =
          KeyBundleVerifier.builder().trust(VerificationKey.fromPem(signer.key)).build();
      v = ModelSigning.verify(model, sig, verifier, options.build());
    } else if (signer.certificateChain != null) {
      v =
          ModelSigning.verify(
              model, sig, certificateChainVerifier(signer.certificateChain), options.build());
    } else {
      Instance instance = signer.keyless.instance;
      KeylessBundleVerifier.Builder builder =
          KeylessBundleVerifier.builder()
              .requireSigner(signer.keyless.identity, signer.keyless.issuer);
      if (instance.trustedRoot != null) {
        builder.trustedRoot(instance.trustedRoot);
      } else {
        builder.trustConfig(instance.trustConfig);
      }
      KeylessBundleVerifier verifier;
      try {
        verifier = builder.build();
      } catch (IllegalArgumentException e) {
        // Bad input (MALFORMED), or a directory or FIFO named on the command line (usage).
        throw KeylessOptions.asMalformed(
            instance.trustedRoot != null ? "--trusted-root" : "--trust-config", e);
      }
      v = ModelSigning.verify(model, sig, verifier, options.build());
    }
    var out = spec.commandLine().getOut();
    if (json) {
      ObjectNode root = JsonNodeFactory.instance.objectNode();
      root.put("verified", true);
      root.put("model", v.modelName());
      root.put("method", v.method());
      root.put("rootDigest", v.rootDigest().toString());
      root.put("signer", v.signer());
      root.put("files", v.fileCount());
      v.shardManifest()
          .ifPresent(
              m -> {
                root.put("shardSize", m.shardSize());
                root.put("shards", m.shards().size());
              });
      ArrayNode ignored = root.putArray("ignored");
      v.ignoredFiles().forEach(ignored::add);
      ArrayNode unsigned = root.putArray("unsigned");
      v.unsignedFiles().forEach(unsigned::add);
      JsonReport.success(spec, root);
    } else {
      out.println(
          "verified "
              + Errors.shown(v.modelName())
              + " "
              + v.rootDigest()
              + " ("
              + v.fileCount()
              + " files"
              + v.shardManifest().map(m -> ", " + m.shards().size() + " shards").orElse("")
              + ") signed by "
              + Errors.shown(v.signer()));
      if (!v.ignoredFiles().isEmpty()) {
        out.println(ignoredLine(v.ignoredFiles()));
      }
      if (!v.unsignedFiles().isEmpty()) {
        out.println(
            filesLine(
                "unsigned, not covered by the signature (--ignore-unsigned-files): ",
                v.unsignedFiles()));
      }
    }
    return 0;
  }

  /** Trusts the certificates of the {@code --certificate-chain} files. */
  private static CertificateChainVerifier certificateChainVerifier(List<Path> files)
      throws java.io.IOException, PipelineException {
    CertificateChainVerifier.Builder builder = CertificateChainVerifier.builder();
    for (Path f : files) {
      builder.trust(f);
    }
    try {
      return builder.build();
    } catch (IllegalStateException e) {
      throw new PipelineException(
          Reason.CERTIFICATE_INVALID, "--certificate-chain: " + e.getMessage(), e);
    }
  }

  /**
   * One line naming regular files left out by ignore paths (not signed, not verified): the first
   * {@link ModelManifest#MAX_LISTED} shown printable, then how many more.
   */
  static String ignoredLine(List<String> ignored) {
    return filesLine("ignored, not covered by the signature: ", ignored);
  }

  /** {@code prefix}, a count and the first {@link ModelManifest#MAX_LISTED} names, printable. */
  private static String filesLine(String prefix, List<String> ignored) {
    StringBuilder line =
        new StringBuilder(prefix)
            .append(ignored.size())
            .append(ignored.size() == 1 ? " file: " : " files: ");
    int shown = Math.min(ignored.size(), ModelManifest.MAX_LISTED);
    for (int i = 0; i < shown; i++) {
      line.append(i == 0 ? "" : ", ").append(Printable.line(ignored.get(i), 200));
    }
    if (ignored.size() > shown) {
      line.append(" and ").append(ignored.size() - shown).append(" more");
    }
    return line.toString();
  }
}
