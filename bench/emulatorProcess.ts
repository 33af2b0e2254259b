/**
 * The emulated LMS for the benchmarks, in a process of its own: its work and memory are the
 * LMS's, not Laurel's, and it uses the other core. Started with the course size and Laurel's
 * URL; answers over IPC with what Laurel needs to know of it.
 */
import { startEmulator, seedCourse } from '../src/devtools/emulator/index.js';
import { ROUTES } from '../src/lti/scopes.js';

export interface EmulatorInfo {
  url: string;
  issuer: string;
  endpoints: { auth: string; token: string; jwks: string };
  clientId: string;
  deploymentId: string;
  course: { contextId: string; title: string; label: string; instructorId: string; learnerIds: string[]; activityIds: string[]; members: number; resultsPerActivity: number[] };
  lineItemsUrl: string;
  agsScopes: string[];
  membershipsUrl: string;
}

const [learners, activities, pageSize, latencyMs] = process.argv.slice(2, 6).map(Number);
const laurelUrl = process.argv[6];
const course = seedCourse({ learners, activities, flavour: 'canvas' });
const emulator = await startEmulator({ flavour: 'canvas', course, pageSize, latencyMs });
const tool = emulator.registerTool({
  name: 'Laurel', initiateLoginUri: laurelUrl + ROUTES.login, redirectUris: [laurelUrl + ROUTES.launch],
  jwksUri: laurelUrl + ROUTES.keys, targetLinkUri: laurelUrl + ROUTES.launch,
});
const instructor = course.users.find((u) => u.role === 'Instructor')!;
const claims = emulator.idTokenClaims({ userId: instructor.id, clientId: tool.clientId, nonce: 'bench' }) as Record<string, any>;
const ags = claims['https://purl.imsglobal.org/spec/lti-ags/claim/endpoint'];
const graded = course.activities.filter((a) => a.ags);
const info: EmulatorInfo = {
  url: emulator.url,
  issuer: emulator.issuer,
  endpoints: emulator.endpoints,
  clientId: tool.clientId,
  deploymentId: tool.deploymentId,
  course: {
    contextId: course.contextId, title: course.title, label: course.label, instructorId: instructor.id,
    learnerIds: course.users.filter((u) => u.role === 'Learner' && u.status === 'Active').map((u) => u.id),
    activityIds: graded.map((a) => a.id),
    members: course.users.filter((u) => u.status !== 'Deleted').length,
    resultsPerActivity: graded.map((a) => course.results.filter((r) => r.lineItemId === a.id).length),
  },
  lineItemsUrl: ags.lineitems,
  agsScopes: ags.scope,
  membershipsUrl: claims['https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice'].context_memberships_url,
};
process.send!(info);
process.on('disconnect', () => { emulator.close().finally(() => process.exit(0)); });
