package dev.custody.cli;

import picocli.CommandLine.Option;

/** Output options shared by the pipeline verbs (ingest, train, run, reproduce). */
final class StepOptions {
  @Option(names = "--json", description = "Print the result as JSON.")
  boolean json;

  @Option(names = "--quiet", description = "Do not show step progress on stderr.")
  boolean quiet;
}
