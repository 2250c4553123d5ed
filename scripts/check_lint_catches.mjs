// Proves the JavaScript check still catches what tests/js-compat/ holds: each file's first
// line names the rules that must report it ("// lint must report: rule-a, rule-b").
// Exits 1 when a file is not reported by every rule it names. Run by scripts/lint_js.sh.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ESLint } from "eslint";

const FIXTURES = "tests/js-compat";
const HEADER = /^\/\/ lint must report: (.+)$/m;

const eslint = new ESLint();
let failures = 0;
const files = readdirSync(FIXTURES).filter((name) => name.endsWith(".js")).sort();
if (!files.length) {
  console.error(`No fixtures in ${FIXTURES}`);
  process.exit(1);
}
for (const name of files) {
  const path = join(FIXTURES, name);
  const header = HEADER.exec(readFileSync(path, "utf8").split("\n", 1)[0]);
  if (!header) {
    console.error(`${path}: the first line must be "// lint must report: <rules>"`);
    failures++;
    continue;
  }
  const expected = header[1].split(",").map((rule) => rule.trim());
  const [result] = await eslint.lintFiles([path]);
  const reported = new Set(result.messages.map((message) => message.ruleId));
  const missed = expected.filter((rule) => !reported.has(rule));
  if (missed.length) {
    console.error(`${path}: not reported by ${missed.join(", ")}`);
    failures++;
  } else {
    console.log(`${path}: refused (${expected.join(", ")})`);
  }
}
process.exit(failures ? 1 : 0);
