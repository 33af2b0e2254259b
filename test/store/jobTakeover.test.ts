/**
 * A job whose instance stopped renewing its lease is taken over by one instance, however many
 * notice it at the same moment: the others run something else or nothing. Against the real
 * FerretDB, which runs findAndModify as a read then a write.
 */
import { describe, expect, it } from 'vitest';
import { createJob, findJob, takeOverStalledJob } from '../../src/store/evaluationJob.js';
import { useTestDatabase } from '../support/database.js';

useTestDatabase();

describe('a stalled job', () => {
  it('is taken over by exactly one of ten instances noticing it at once', async () => {
    for (let round = 0; round < 5; round++) {
      const job = await createJob(`course-${round}`, 'instructor', { leaseMs: -1000 });
      const taken = await Promise.all(Array.from({ length: 10 }, () => takeOverStalledJob(60_000)));
      expect(taken.filter((t) => t?.id === job.id), `round ${round}`).toHaveLength(1);
      expect((await findJob(job.courseKey, job.id))?.attempts).toBe(2);
    }
  });
});
