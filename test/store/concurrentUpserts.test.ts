/**
 * The first launches of a course arrive together (a class opening Laurel at the start of a
 * lesson): each upserts the same course, deployment, site and person records at once. Each must
 * succeed and leave one document, on FerretDB too, which does not retry an upsert that lost the
 * race to create (MongoDB does): found by the institution benchmark's concurrent first launches.
 */
import { describe, expect, it } from 'vitest';
import { CourseModel, recordCourseLaunch } from '../../src/store/course.js';
import { addDeployment, DeploymentModel } from '../../src/store/deployment.js';
import { learnFrameOrigins, PlatformFrameOriginsModel } from '../../src/store/frameOrigins.js';
import { LmsUserModel, recordLmsUserId } from '../../src/store/lmsUser.js';
import { useTestDatabase } from '../support/database.js';

useTestDatabase();

const issuer = 'https://canvas.example.edu';
const at = (n: number, fn: (i: number) => Promise<unknown>) => Promise.all(Array.from({ length: n }, (_, i) => fn(i)));

describe('twelve first launches at once', () => {
  it('record one course, one deployment, one platform\'s sites and one person, none failing', async () => {
    await at(12, (i) => Promise.all([
      recordCourseLaunch({ issuer, clientId: 'c1', deploymentId: 'd1', contextId: 'chem-101', title: `Chemistry ${i}`, label: 'CHEM', agsScopes: [], productFamily: 'canvas' }),
      addDeployment({ platformId: 'p1', issuer, clientId: 'c1', deploymentId: 'd1' }),
      learnFrameOrigins(issuer, 'c1', [`https://school${i % 2}.instructure.com`]),
      recordLmsUserId(issuer, 'c1', 'learner-1', '42'),
    ]));
    expect(await CourseModel.countDocuments({ contextId: 'chem-101' })).toBe(1);
    expect(await DeploymentModel.countDocuments({ deploymentId: 'd1' })).toBe(1);
    expect(await PlatformFrameOriginsModel.countDocuments({ issuer })).toBe(1);
    expect(await LmsUserModel.countDocuments({ userId: 'learner-1' })).toBe(1);
  });
});
