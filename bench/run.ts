/**
 * `npm run bench`: runs every benchmark, each in a process of its own (so one's memory does not
 * count against the next), prints their reports, and writes the figures to bench/results.json,
 * each benchmark's under its name (`course.lmsRequests`, `issuance.ratioToBare`).
 */
import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

type Figures = Record<string, number>;

const BENCHMARKS: Record<string, () => Promise<Figures>> = {
  course: async () => (await import('./course.js')).courseBenchmark(),
  issuance: async () => (await import('./issuance.js')).issuanceBenchmark(),
};

const [only] = process.argv.slice(2);
if (only) {
  // A child: run one benchmark and hand its figures to the parent.
  const figures = await BENCHMARKS[only]!();
  process.send!(figures, () => process.exit(0));
} else {
  const here = dirname(fileURLToPath(import.meta.url));
  // From dist/bench/ back to the source folder bench/.
  const out = join(resolve(here, '..', '..', 'bench'), 'results.json');
  const results: Record<string, Figures> = {};
  for (const name of Object.keys(BENCHMARKS)) {
    results[name] = await new Promise<Figures>((ok, fail) => {
      const child = fork(fileURLToPath(import.meta.url), [name], { stdio: 'inherit' });
      child.once('message', (m) => ok(m as Figures));
      child.once('exit', (code) => fail(new Error(`the ${name} benchmark exited with code ${code} before reporting`)));
    });
    console.log('');
  }
  writeFileSync(out, JSON.stringify({ measuredAt: new Date().toISOString(), ...results }, null, 2) + '\n');
  console.log(`written to ${out}`);
}
