// Sums the vitest and Playwright JSON reports into one closing line: "N passed, N failed".
// A missing report counts as a failed suite, so a crashed runner never reads as green.
import { readFileSync } from 'node:fs';

// Further vitest reports (the broker suite on PostgreSQL) may follow the first two.
const [vitestPath, playwrightPath, ...moreVitest] = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;

function read(path, name) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    console.log(`${name}: no report at ${path} (the runner crashed or did not start)`);
    failed += 1;
    return null;
  }
}

const vitest = read(vitestPath, 'vitest');
if (vitest) {
  passed += vitest.numPassedTests;
  failed += vitest.numFailedTests + (vitest.numRuntimeErrorTestSuites ?? 0);
  skipped += vitest.numPendingTests + vitest.numTodoTests;
  console.log(`vitest: ${vitest.numPassedTests} passed, ${vitest.numFailedTests} failed`);
}
for (const path of moreVitest) {
  const more = read(path, 'vitest');
  if (!more) continue;
  passed += more.numPassedTests;
  failed += more.numFailedTests + (more.numRuntimeErrorTestSuites ?? 0);
  skipped += more.numPendingTests + more.numTodoTests;
  console.log(`vitest (${path}): ${more.numPassedTests} passed, ${more.numFailedTests} failed`);
}
const pw = read(playwrightPath, 'playwright');
if (pw) {
  const s = pw.stats;
  passed += s.expected + s.flaky;
  failed += s.unexpected + (pw.errors?.length ?? 0);
  skipped += s.skipped;
  console.log(
    `playwright: ${s.expected + s.flaky} passed, ${s.unexpected} failed, ${s.skipped} skipped`,
  );
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
