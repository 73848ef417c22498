#!/usr/bin/env node
// Counts the tests of a run from the runners' own reports: prints a line per runner, then, as its last
// line, the totals "N M" (passed, failed) for scripts/test.sh to print as its own last line. Exits 1 when M > 0. Each argument names a runner that was meant to run and its report:
//   name=kind:path      kind is jest (jest --json), junit (JUnit XML) or checks ({"passed": n, "failed": m})
// A runner whose report is missing or unreadable counts as 1 failed: it was meant to run and did not say so.
'use strict';
const fs = require('fs');

/** jest --json: tests that passed and failed, plus suites that failed before running any test. */
function fromJest(report) {
  const suiteErrors = (report.testResults ?? []).filter((s) => s.status === 'failed' && (s.assertionResults ?? []).length === 0).length;
  return { passed: report.numPassedTests, failed: report.numFailedTests + suiteErrors };
}

/** JUnit XML: every <testcase>, failed when it holds a <failure> or an <error>; skipped ones are not counted. */
function fromJunit(xml) {
  let passed = 0;
  let failed = 0;
  for (const m of xml.matchAll(/<testcase\b[^>]*?(?:\/>|>([\s\S]*?)<\/testcase>)/g)) {
    const body = m[1] ?? '';
    if (/<(failure|error)\b/.test(body)) failed++;
    else if (!/<skipped\b/.test(body)) passed++;
  }
  return { passed, failed };
}

function count(kind, path) {
  const text = fs.readFileSync(path, 'utf8');
  if (kind === 'jest') return fromJest(JSON.parse(text));
  if (kind === 'junit') return fromJunit(text);
  if (kind === 'checks') return JSON.parse(text);
  throw new Error(`unknown report kind ${kind}`);
}

function main(args) {
  let passed = 0;
  let failed = 0;
  for (const arg of args) {
    const m = /^([^=]+)=(jest|junit|checks):(.+)$/.exec(arg);
    if (!m) throw new Error(`bad argument ${arg} (expected name=kind:path)`);
    const [, name, kind, path] = m;
    let result;
    try {
      result = count(kind, path);
      if (!Number.isInteger(result.passed) || !Number.isInteger(result.failed)) throw new Error('no counts in it');
    } catch (err) {
      console.log(`${name}: no report (${err.code === 'ENOENT' ? `${path} missing` : err.message}): counted as 1 failed`);
      result = { passed: 0, failed: 1 };
    }
    console.log(`${name}: ${result.passed} passed, ${result.failed} failed`);
    passed += result.passed;
    failed += result.failed;
  }
  console.log(`${passed} ${failed}`);
  return failed > 0 ? 1 : 0;
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
module.exports = { fromJest, fromJunit };
