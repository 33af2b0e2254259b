/**
 * `npm run bench`: runs every benchmark, each in a process of its own (so one's memory does not
 * count against the next), prints their reports, and writes the figures to bench/results.json,
 * each benchmark's under its name (`course.lmsRequests`, `load.public.p99ms`).
 * `npm run bench -- load` runs the named ones only, keeping the others' figures in the file.
 */
import { fork } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Figures { [name: string]: number | number[] | Figures }

const BENCHMARKS: Record<string, () => Promise<Figures>> = {
  course: async () => (await import('./course.js')).courseBenchmark(),
  issuance: async () => (await import('./issuance.js')).issuanceBenchmark(),
  load: async () => (await import('./load.js')).loadBenchmark(),
  institution: async () => (await import('./institution.js')).institutionBenchmark(),
  scheduler: async () => (await import('./schedulerThroughput.js')).schedulerBenchmark(),
  privacy: async () => (await import('./privacy.js')).privacyBenchmark(),
};

const CHILD = '--child';
const args = process.argv.slice(2);
if (args[0] === CHILD) {
  // A child: run one benchmark and hand its figures to the parent.
  const figures = await BENCHMARKS[args[1]!]!();
  process.send!(figures, () => process.exit(0));
} else {
  const unknown = args.filter((name) => !(name in BENCHMARKS));
  if (unknown.length) throw new Error(`no benchmark ${unknown.join(', ')}; there are ${Object.keys(BENCHMARKS).join(', ')}`);
  const here = dirname(fileURLToPath(import.meta.url));
  // From dist/bench/ back to the source folder bench/.
  const out = join(resolve(here, '..', '..', 'bench'), 'results.json');
  const results: Record<string, Figures> = args.length && existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : {};
  for (const name of args.length ? args : Object.keys(BENCHMARKS)) {
    results[name] = await new Promise<Figures>((ok, fail) => {
      const child = fork(fileURLToPath(import.meta.url), [CHILD, name], { stdio: 'inherit' });
      child.once('message', (m) => ok(m as Figures));
      child.once('exit', (code) => fail(new Error(`the ${name} benchmark exited with code ${code} before reporting`)));
    });
    console.log('');
  }
  const { measuredAt: _previous, ...figures } = results;
  writeFileSync(out, JSON.stringify({ measuredAt: new Date().toISOString(), ...figures }, null, 2) + '\n');
  console.log(`written to ${out}`);
}
