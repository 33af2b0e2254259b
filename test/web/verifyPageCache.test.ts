/**
 * The public verification page, repeated: the full check (proofs, status list, dates) is made
 * once and kept, and a revocation still shows at once. Nothing tells the kept check about the
 * revocation: each view reads the status list's version from the database, which a revocation on
 * any instance bumps.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { startLaurel, type RunningLaurel } from '../support/laurel.js';
import { htmlText } from '../support/html.js';
import { recordCourseLaunch } from '../../src/store/course.js';
import { saveBadge } from '../../src/store/badge.js';
import { awardsOf, createAwards } from '../../src/store/award.js';
import { issueWaitingCredentials } from '../../src/awards/issueCredential.js';
import { revoke } from '../../src/awards/revoke.js';
import { verificationCounts } from '../../src/awards/verificationCache.js';

let laurel: RunningLaurel;
let courseKey: string;
let awardIds: string[];

beforeAll(async () => {
  laurel = await startLaurel({ SYNC_INTERVAL_MINUTES: '0' });
  const course = await recordCourseLaunch({
    issuer: 'https://canvas.example.edu', clientId: 'cache', deploymentId: '1', contextId: 'course-1', title: 'Chemistry', label: 'CHEM1', agsScopes: [], productFamily: 'canvas',
  });
  courseKey = course.courseKey;
  await saveBadge(courseKey, {
    id: 'lab', name: 'Lab Safety', description: 'Handles the lab safely.', tags: [], alignments: [], issueMode: 'automatic', evidenceRequired: false,
    rules: { kind: 'all', rules: [{ kind: 'approval' }] },
  }, 'test');
  await createAwards(['ada', 'grace'].map((userId) => ({ courseKey, badgeId: 'lab', userId, status: 'awarded' as const, origin: 'instructor' as const })));
  expect(await issueWaitingCredentials(laurel.url, courseKey)).toBe(2);
  awardIds = (await awardsOf(courseKey)).map((a) => a.id);
});
afterAll(async () => { await laurel?.close(); });

const view = async (id: string) => {
  const res = await request(laurel.url).get(`/verify/${id}`).set('Accept', 'text/html');
  expect(res.status).toBe(200);
  return htmlText(res.text);
};

describe('the public verification page, viewed again and again', () => {
  it('checks the credential once, then answers repeated views from that check', async () => {
    const before = verificationCounts.full;
    for (let i = 0; i < 3; i++) expect(await view(awardIds[0]!)).toContain('Valid: the signatures check out');
    expect(verificationCounts.full - before).toBe(1);
  });

  it('says revoked at once after a revocation, though the valid page was just kept', async () => {
    const id = awardIds[1]!;
    expect(await view(id)).toContain('Valid: the signatures check out');
    expect(await view(id)).toContain('Valid: the signatures check out'); // now from what was kept

    await revoke(courseKey, id, 'Exam misconduct', 'instructor-1');
    const after = await view(id);
    expect(after).toContain('Revoked: Exam misconduct.');
    expect(after).not.toContain('Valid: the signatures check out');
  });

  it('checks the other badges of that status list again too, and they stay valid', async () => {
    const before = verificationCounts.full;
    expect(await view(awardIds[0]!)).toContain('Valid: the signatures check out'); // its list changed: checked afresh
    expect(await view(awardIds[0]!)).toContain('Valid: the signatures check out');
    expect(verificationCounts.full - before).toBe(1);
  });
});
