/**
 * The report step of action.yml: reads the `check --json` document, appends the job summary to
 * $GITHUB_STEP_SUMMARY, sets the outputs in $GITHUB_OUTPUT and prints one annotation per finding.
 * Usage: node dist/src/github/action.js RESULT.json JUNIT.xml SARIF.sarif REPORT.html
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { annotations, outputs, summary, type CheckDocument } from './report.js';

const [jsonPath, junitPath = '', sarifPath = '', htmlPath = ''] = process.argv.slice(2);
if (!jsonPath) {
  process.stderr.write('usage: action.js RESULT.json [JUNIT.xml] [SARIF.sarif] [REPORT.html]\n');
  process.exit(2);
}
let document: CheckDocument;
try {
  document = JSON.parse(readFileSync(jsonPath, 'utf8')) as CheckDocument;
} catch (error) {
  process.stdout.write(`::error title=oidc-cli check::no report was written (${(error as Error).message})\n`);
  process.exit(1);
}
if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, summary(document));
if (process.env.GITHUB_OUTPUT) appendFileSync(process.env.GITHUB_OUTPUT, outputs(document, { json: jsonPath, junit: junitPath, sarif: sarifPath, html: htmlPath }));
for (const line of annotations(document)) process.stdout.write(`${line}\n`);
