/**
 * A course whose learners each hold a signed credential, put straight in the store on a database
 * of its own, as an earlier Laurel would have left it: for tests of what a fresh start of Laurel
 * on that database finishes (test/privacy/). ltijs is set up once in a process, so these files
 * seed with the store alone and start their one Laurel afterwards (`closeStore` before it).
 */
import mongoose from 'mongoose';
import { testDatabaseUri } from './database.js';
import { connectDatabase } from '../../src/store/connect.js';
import { ensureIndexes } from '../../src/store/indexes.js';
import { configureSealing } from '../../src/secrets/sealed.js';
import { setPublicBase } from '../../src/publicBase.js';
import { recordCourseLaunch } from '../../src/store/course.js';
import { saveBadge } from '../../src/store/badge.js';
import { createAwards } from '../../src/store/award.js';
import { issueWaitingCredentials } from '../../src/awards/issueCredential.js';
import type { RunningLaurel } from './laurel.js';

export interface SignedCourse { uri: string; courseKey: string; issued: number }

const PUBLIC_BASE = 'http://127.0.0.1:9';

export async function seedSignedCourse(o: {
  issuer: string; clientId: string; contextId: string; title: string; badgeId: string; secret: string;
  learners: { userId: string; name: string; email: string }[];
}): Promise<SignedCourse> {
  const uri = testDatabaseUri();
  await connectDatabase(uri);
  await ensureIndexes({ ttl: false });
  configureSealing(o.secret);
  setPublicBase(PUBLIC_BASE);
  const { courseKey } = await recordCourseLaunch({ issuer: o.issuer, clientId: o.clientId, deploymentId: '1', contextId: o.contextId, title: o.title, label: 'L1', agsScopes: [], productFamily: 'moodle' });
  await saveBadge(courseKey, {
    id: o.badgeId, name: 'Lab Safety', description: 'Handles the lab safely.', tags: [], alignments: [], issueMode: 'automatic', evidenceRequired: false,
    rules: { kind: 'all', rules: [{ kind: 'approval' }] },
  }, 'test');
  await createAwards(o.learners.map((l) => ({
    courseKey, badgeId: o.badgeId, userId: l.userId, status: 'awarded' as const, origin: 'instructor' as const, recipient: { email: l.email, name: l.name },
  })));
  return { uri, courseKey, issued: await issueWaitingCredentials(PUBLIC_BASE, courseKey) };
}

/** After the file: the Laurel started on the database closes it, or the store seeded alone drops it. */
export async function dropSeeded(laurel: RunningLaurel | undefined): Promise<void> {
  if (laurel) return laurel.close();
  await mongoose.connection.db?.dropDatabase().catch(() => {});
  await mongoose.disconnect();
}
