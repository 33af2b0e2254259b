/**
 * `npm run demo [-- --moodle]`: Laurel plus an emulated LMS with a seeded course, in a
 * throw-away database (a temporary FerretDB unless MONGODB_URI is set). Prints two links.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../src/log.js';
import { startDemo } from './demoCourse.js';

const flavour = process.argv.includes('--moodle') ? 'moodle' : 'canvas';
const dataDir = process.env.DATA_DIR ?? mkdtempSync(join(tmpdir(), 'laurel-demo-'));
const logger = createLogger(process.env.LOG_LEVEL ?? 'warn');

const demo = await startDemo({ flavour, env: { ...process.env, DATA_DIR: dataDir }, logger, emulatorPort: Number(process.env.EMULATOR_PORT ?? 4000) });
const course = demo.emulator.course;
console.log(`
Laurel is running at ${demo.laurelUrl}, with an emulated ${flavour === 'canvas' ? 'Canvas' : 'Moodle'} at ${demo.emulator.url}
Course "${course.title}": ${course.users.filter((u) => u.role === 'Learner').length} learners, ${course.activities.filter((a) => a.ags).length} graded activities on Laurel's links (AGS sees them), ${course.activities.filter((a) => !a.ags).length} ordinary assignment (AGS does not; the connected ${flavour === 'canvas' ? 'Canvas REST API' : 'Moodle web service'} does, with module completion).

  Launch as the instructor: ${demo.instructorUrl}
  Launch as a learner:      ${demo.learnerUrl}

Press Ctrl+C to stop (the demo's database is thrown away).
`);

const stop = async () => {
  await demo.stop();
  if (!process.env.DATA_DIR) rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
