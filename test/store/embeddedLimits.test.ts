/**
 * Laurel warns at start when the embedded FerretDB holds more than the institution benchmark
 * measured it with, and is silent below it. The limits are passed small here; the real ones are
 * EMBEDDED_MEASURED.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { Writable } from 'node:stream';
import { recordCourseLaunch } from '../../src/store/course.js';
import { dataSize, EMBEDDED_MEASURED, warnIfOutgrown } from '../../src/store/embeddedLimits.js';
import { useTestDatabase } from '../support/database.js';

useTestDatabase();
beforeAll(async () => {
  for (const contextId of ['a', 'b', 'c']) {
    await recordCourseLaunch({ issuer: 'https://lms.example.edu', clientId: 'limits', deploymentId: '1', contextId, title: contextId, label: contextId, agsScopes: [], productFamily: 'moodle' });
  }
});

function capture() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, new Writable({ write(chunk, _enc, done) { lines.push(JSON.parse(String(chunk))); done(); } }));
  return { logger, lines };
}

describe('the embedded database\'s measured size', () => {
  it('counts the courses and credentials', async () => {
    expect(await dataSize()).toEqual({ courses: 3, credentials: 0 });
  });

  it('is warned about at start once the data has grown past it, saying what grew and what to do', async () => {
    const { logger, lines } = capture();
    expect(await warnIfOutgrown(logger, { courses: 2, credentials: 10 })).toEqual(['3 courses (measured up to 2)']);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 40 });
    expect(String(lines[0]!.msg)).toMatch(/Move to MongoDB .* set MONGODB_URI/);
  });

  it('says nothing below it, as for any institution up to the benchmark\'s size', async () => {
    const { logger, lines } = capture();
    expect(await warnIfOutgrown(logger)).toEqual([]);
    expect(lines).toEqual([]);
    expect(EMBEDDED_MEASURED.credentials).toBeGreaterThanOrEqual(150_000);
  });
});
