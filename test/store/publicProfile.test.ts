/**
 * A learner publishing their page of badges twice at the same moment (a double click, two tabs)
 * ends with one published page, the one their document points to: never a second page left
 * public that they could not withdraw. Against the real FerretDB, which runs a conditional update
 * as a read then a write.
 */
import { describe, expect, it } from 'vitest';
import { profileIdOf } from '../../src/store/learnerCourse.js';
import { publicProfileById, publishProfile, withdrawProfile } from '../../src/store/publicProfile.js';
import { useTestDatabase } from '../support/database.js';

useTestDatabase();

describe('publishing a page of badges', () => {
  it('ten times at once leaves one published page, the learner\'s; withdrawn, then published at once again, the same', async () => {
    for (let round = 0; round < 5; round++) {
      const person = { issuer: 'https://lms.example.edu', clientId: 'profiles', userId: `learner-${round}` };
      for (const pass of ['first', 'after withdrawing']) {
        const pages = await Promise.all(Array.from({ length: 10 }, () => publishProfile(person, { awardIds: ['a'], showName: false })));
        const ids = [...new Set(pages.map((p) => p.id))];
        const published = (await Promise.all(ids.map(publicProfileById))).filter((p) => p && !p.withdrawnAt);
        expect(published.map((p) => p!.id), `round ${round}, ${pass}`).toEqual([await profileIdOf(person)]);
        if (pass === 'first') expect(await withdrawProfile(person)).toBe(true);
      }
    }
  });
});
