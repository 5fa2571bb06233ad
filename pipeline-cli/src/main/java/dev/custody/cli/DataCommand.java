package dev.custody.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.train.Ingest;
import dev.custody.train.data.CanonicalRow;
import dev.custody.train.data.DataDiff;
import dev.custody.train.data.Merkle;
import dev.custody.train.spec.PipelineSpec;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code custody data}: look at datasets row by row. */
@Command(
    name = "data",
    mixinStandardHelpOptions = true,
    description = "Compare versions of a dataset row by row.",
    subcommands = {DataCommand.Diff.class})
final class DataCommand {

  @Command(
      name = "diff",
      mixinStandardHelpOptions = true,
      description = {
        "Show the rows added, removed or changed between two specs.",
        "Which rows were added, removed or changed between the data of two pipeline specs.",
        "Each spec's files are read once and checked against their pinned SHA-256 first; rows are",
        "matched by the schema's id column when there is one, else by content."
      })
  static final class Diff implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "OLD_SPEC", description = "The spec of the earlier data.")
    Path oldSpec;

    @Parameters(index = "1", paramLabel = "NEW_SPEC", description = "The spec of the later data.")
    Path newSpec;

    @Option(
        names = "--limit",
        defaultValue = "20",
        paramLabel = "N",
        description = "Rows of each kind to print (default: ${DEFAULT-VALUE}; --json prints all).")
    int limit;

    @Option(names = "--json", description = "Print every difference as JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
      PipelineOptions.requireFile(oldSpec);
      PipelineOptions.requireFile(newSpec);
      PipelineSpec before = PipelineSpec.load(oldSpec);
      PipelineSpec after = PipelineSpec.load(newSpec);
      List<String> columns = after.schema().canonicalColumns();
      if (!before.schema().canonicalColumns().equals(columns)) {
        throw new IllegalArgumentException(
            "the specs' rows have different columns: "
                + before.schema().canonicalColumns()
                + " and "
                + columns);
      }
      Ingest ingest = Ingest.builder().cacheDirectory(PipelineOptions.CACHE_DIRECTORY).build();
      List<CanonicalRow> oldRows = ingest.rows(before);
      List<CanonicalRow> newRows = ingest.rows(after);
      DataDiff d = DataDiff.between(oldRows, newRows);
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        JsonReport.success(spec, toJson(d, columns, oldRows, newRows));
        return 0;
      }
      out.printf(
          java.util.Locale.ROOT,
          "old: %s, %d rows, Merkle root %s%n",
          Errors.shown(oldSpec),
          oldRows.size(),
          Merkle.root(oldRows));
      out.printf(
          java.util.Locale.ROOT,
          "new: %s, %d rows, Merkle root %s%n",
          Errors.shown(newSpec),
          newRows.size(),
          Merkle.root(newRows));
      out.printf(
          java.util.Locale.ROOT,
          "matched by %s: %d added, %d removed, %d changed%n",
          d.byId() ? "id" : "content",
          d.added().size(),
          d.removed().size(),
          d.changed().size());
      d.added().stream().limit(limit).forEach(r -> out.println("  added   " + where(r)));
      d.removed().stream().limit(limit).forEach(r -> out.println("  removed " + where(r)));
      for (DataDiff.Change c : d.changed().subList(0, Math.min(limit, d.changed().size()))) {
        StringBuilder b = new StringBuilder("  changed " + where(c.after()) + ":");
        for (int i : c.fields()) {
          b.append(' ')
              .append(columns.get(i))
              .append(' ')
              .append(c.before().fields().get(i))
              .append(" -> ")
              .append(c.after().fields().get(i))
              .append(';');
        }
        out.println(Errors.shown(b.substring(0, b.length() - 1)));
      }
      int shown =
          Math.min(limit, d.added().size())
              + Math.min(limit, d.removed().size())
              + Math.min(limit, d.changed().size());
      int total = d.added().size() + d.removed().size() + d.changed().size();
      if (shown < total) {
        out.printf(
            java.util.Locale.ROOT, "  (%d more; --limit or --json to see them)%n", total - shown);
      }
      return 0;
    }

    private static String where(CanonicalRow r) {
      return Errors.shown(
          (r.id().isEmpty() ? "" : "id " + r.id() + ", ") + r.source() + " line " + r.line());
    }

    private static ObjectNode toJson(
        DataDiff d, List<String> columns, List<CanonicalRow> oldRows, List<CanonicalRow> newRows) {
      ObjectNode root = JsonNodeFactory.instance.objectNode();
      root.put("oldRows", oldRows.size());
      root.put("newRows", newRows.size());
      root.put("oldRoot", Merkle.root(oldRows).toString());
      root.put("newRoot", Merkle.root(newRows).toString());
      root.put("matchedBy", d.byId() ? "id" : "content");
      ArrayNode added = root.putArray("added");
      d.added().forEach(r -> row(added.addObject(), r));
      ArrayNode removed = root.putArray("removed");
      d.removed().forEach(r -> row(removed.addObject(), r));
      ArrayNode changed = root.putArray("changed");
      for (DataDiff.Change c : d.changed()) {
        ObjectNode n = changed.addObject();
        row(n, c.after());
        ObjectNode fields = n.putObject("fields");
        for (int i : c.fields()) {
          ObjectNode f = fields.putObject(columns.get(i));
          f.put("before", c.before().fields().get(i));
          f.put("after", c.after().fields().get(i));
        }
      }
      return root;
    }

    private static void row(ObjectNode n, CanonicalRow r) {
      n.put("id", r.id());
      n.put("source", r.source());
      n.put("line", r.line());
    }
  }
}
