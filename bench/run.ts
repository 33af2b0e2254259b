/**
 * `npm run bench`: runs every benchmark, prints its report, and writes the figures to
 * bench/results.json, each benchmark's figures under its name (`course.lmsRequests`).
 */
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { courseBenchmark } from './course.js';

const here = dirname(fileURLToPath(import.meta.url));
// From dist/bench/ back to the source folder bench/.
const out = join(resolve(here, '..', '..', 'bench'), 'results.json');

const results: Record<string, Record<string, number>> = {
  course: await courseBenchmark(),
};
writeFileSync(out, JSON.stringify({ measuredAt: new Date().toISOString(), ...results }, null, 2) + '\n');
console.log(`\nwritten to ${out}`);
process.exit(0);
