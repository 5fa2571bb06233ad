package dev.custody.cli;

import dev.custody.core.EarlyHashing;
import java.nio.file.Path;

/**
 * Starts hashing the model of {@code custody hash MODEL ...} and {@code custody sign-model MODEL
 * ...} before the command line is parsed, so that the parser's, the key's and the JSON writer's
 * start-up runs while the file is hashed (BENCHMARKS.md, "Shards"). Reads only the verb, the
 * argument right after it and {@code --shard-size}: a guess, which the verb takes only if it is
 * exactly what it hashes (see {@link EarlyHashing}); picocli still parses every argument.
 */
final class EarlyStart {
  private EarlyStart() {}

  static void hashing(String[] args) {
    if (args.length < 2
        || !(args[0].equals("hash") || args[0].equals("sign-model"))
        || args[1].startsWith("-")) {
      return;
    }
    try {
      Long shardSize = null;
      for (int i = 2; i < args.length; i++) {
        if (args[i].equals("--")) {
          break;
        }
        if (args[i].equals("--shard-size") && i + 1 < args.length) {
          shardSize = new ShardSize().convert(args[i + 1]);
        } else if (args[i].startsWith("--shard-size=")) {
          shardSize = new ShardSize().convert(args[i].substring("--shard-size=".length()));
        }
      }
      Path model = Path.of(args[1]);
      if (shardSize == null) {
        EarlyHashing.startFile(model);
      } else {
        EarlyHashing.startShards(model, shardSize);
      }
    } catch (RuntimeException e) {
      // A malformed argument: picocli reports it in its own words.
    }
  }
}
