/**
 * The emulated LMS for the benchmarks, in a process of its own: its work and memory are the
 * LMS's, not Laurel's, and it uses the other core. Started with the course size, Laurel's URL
 * and (optionally) the flavour, 'canvas' by default, and the cost of a Canvas REST request to
 * its throttling bucket; answers over IPC with what Laurel needs to know of it, the LMS API's
 * credentials included (a Canvas API developer key, a Moodle web-service token).
 *
 * Arguments: learners activities pageSize latencyMs laurelUrl [flavour] [canvasRequestCost]
 * (pageSize 0: the flavour's default, Moodle's being every item at once).
 */
import { startEmulator, seedCourse, type CanvasRateLimit, type Flavour } from '../test/emulator/index.js';
import { ROUTES } from '../src/lti/scopes.js';
import { canvasRedirectUri } from '../src/lms/canvasRest/canvasRedirect.js';
import { MOODLE_WS_FUNCTIONS } from '../src/lms/moodleWs/moodleWsApi.js';

export interface EmulatorInfo {
  flavour: Flavour;
  url: string;
  issuer: string;
  endpoints: { auth: string; token: string; jwks: string };
  clientId: string;
  deploymentId: string;
  /** The LMS's own course id, for its API (Canvas `$Canvas.course.id`, Moodle's course id). */
  lmsCourseId: string;
  course: {
    contextId: string; title: string; label: string; instructorId: string; learnerIds: string[]; activityIds: string[]; members: number; resultsPerActivity: number[];
    /** The instructor's own LMS user id (who signs in to Canvas to grant Laurel access). */
    instructorLmsId: string;
    /** The ordinary assignment AGS never lists: only the LMS API sees it. */
    participationId: string;
    /** Canvas modules / Moodle sections, with their items (Canvas module item ids, Moodle cmids). */
    modules: { id: string; name: string; items: { id: string; title: string; activityId?: string; completion: boolean }[] }[];
    /** Learners the LMS API lists (every enrolment but removed ones): Canvas's students and enrolments, Moodle's enrolled students. */
    apiStudents: number;
    /** Every assignment of the course, the ordinary one included. */
    assignments: number;
  };
  lineItemsUrl: string;
  agsScopes: string[];
  membershipsUrl: string;
  /** Items a page of AGS/NRPS lists; 0 when the LMS sends every item at once (Moodle's default). */
  pageSize: number;
  /** Canvas: an API developer key whose redirect URI is Laurel's callback, and the REST throttling bucket as configured. */
  canvasApi?: { baseUrl: string; clientId: string; clientSecret: string; redirectUri: string; rateLimit: CanvasRateLimit };
  /** Moodle: a web-service token for a service allowing every function Laurel calls. */
  moodleWs?: { baseUrl: string; token: string };
}

const [learners, activities, pageSize, latencyMs] = process.argv.slice(2, 6).map(Number);
const laurelUrl = process.argv[6]!;
const flavour = (process.argv[7] ?? 'canvas') as Flavour;
const canvasRequestCost = process.argv[8] === undefined ? undefined : Number(process.argv[8]);
if (flavour !== 'canvas' && flavour !== 'moodle') throw new Error(`no flavour ${flavour}: canvas or moodle`);

const course = seedCourse({ learners, activities, flavour });
const emulator = await startEmulator({ flavour, course, pageSize: pageSize || undefined, latencyMs });
const tool = emulator.registerTool({
  name: 'Laurel', initiateLoginUri: laurelUrl + ROUTES.login, redirectUris: [laurelUrl + ROUTES.launch],
  jwksUri: laurelUrl + ROUTES.keys, targetLinkUri: laurelUrl + ROUTES.launch,
});
const instructor = course.users.find((u) => u.role === 'Instructor')!;
const claims = emulator.idTokenClaims({ userId: instructor.id, clientId: tool.clientId, nonce: 'bench' }) as Record<string, any>;
const ags = claims['https://purl.imsglobal.org/spec/lti-ags/claim/endpoint'];
const graded = course.activities.filter((a) => a.ags);

let canvasApi: EmulatorInfo['canvasApi'];
let moodleWs: EmulatorInfo['moodleWs'];
if (flavour === 'canvas') {
  const redirectUri = canvasRedirectUri(laurelUrl);
  const key = emulator.canvasApiKey({ redirectUri });
  // Canvas's bucket: 700 units, 10 back a second; what a request costs is the caller's to say.
  const rateLimit: CanvasRateLimit = { capacity: 700, cost: canvasRequestCost ?? 1, refillPerSecond: 10 };
  emulator.canvasRateLimit(rateLimit);
  canvasApi = { baseUrl: emulator.url, clientId: key.clientId, clientSecret: key.clientSecret, redirectUri, rateLimit };
} else {
  moodleWs = { baseUrl: emulator.url, token: emulator.moodleWsToken({ functions: [...MOODLE_WS_FUNCTIONS] }) };
}

const info: EmulatorInfo = {
  flavour,
  url: emulator.url,
  issuer: emulator.issuer,
  endpoints: emulator.endpoints,
  clientId: tool.clientId,
  deploymentId: tool.deploymentId,
  lmsCourseId: course.id,
  course: {
    contextId: course.contextId, title: course.title, label: course.label, instructorId: instructor.id,
    learnerIds: course.users.filter((u) => u.role === 'Learner' && u.status === 'Active').map((u) => u.id),
    activityIds: graded.map((a) => a.id),
    members: course.users.filter((u) => u.enrolled !== false && u.status !== 'Deleted').length,
    resultsPerActivity: graded.map((a) => course.results.filter((r) => r.lineItemId === a.id).length),
    instructorLmsId: instructor.lmsId,
    participationId: course.activities.find((a) => a.label === 'Participation')!.id,
    modules: course.modules.map((m) => ({
      id: m.id, name: m.name,
      items: m.items.map((i) => ({ id: i.id, title: i.title, ...(i.activityId ? { activityId: i.activityId } : {}), completion: Boolean(i.completion) })),
    })),
    apiStudents: course.users.filter((u) => u.role === 'Learner' && u.status !== 'Deleted').length,
    assignments: course.activities.length,
  },
  lineItemsUrl: ags.lineitems,
  agsScopes: ags.scope,
  membershipsUrl: claims['https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice'].context_memberships_url,
  pageSize: pageSize || 0,
  ...(canvasApi ? { canvasApi } : {}),
  ...(moodleWs ? { moodleWs } : {}),
};
process.send!(info);
process.on('disconnect', () => { emulator.close().finally(() => process.exit(0)); });
