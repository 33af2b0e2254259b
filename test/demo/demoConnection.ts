/**
 * The demo's LMS API connection, as an administrator and an instructor would make it: a Canvas
 * API developer key with the instructor's grant (the OAuth dance done once, server-side), or a
 * Moodle web-service token; and a badge on what only that API sees, an ordinary assignment and
 * the first week's module or reading.
 */
import type { Emulator } from '../emulator/index.js';
import { connectCanvas, connectMoodle } from '../../src/store/lmsConnection.js';
import { saveCanvasGrant } from '../../src/store/canvasGrant.js';
import { exchangeCanvasCode, type CanvasDeveloperKey, type CanvasTokens } from '../../src/lms/canvasRest/canvasOAuth.js';
import { canvasRedirectUri } from '../../src/lms/canvasRest/canvasRedirect.js';
import { MOODLE_WS_FUNCTIONS } from '../../src/lms/moodleWs/moodleWsApi.js';
import { newTransport } from '../../src/lms/http.js';
import { courseKeyOf } from '../../src/store/course.js';
import { saveBadge } from '../../src/store/badge.js';

/**
 * What an instructor's "Connect Canvas" comes to, done server-side against the emulated Canvas
 * (its authorize page takes the user who signs in as `user`): the grant's tokens.
 */
export async function emulatedCanvasGrant(key: CanvasDeveloperKey, userLmsId: string): Promise<CanvasTokens> {
  const authorize = new URL('/login/oauth2/auth', key.baseUrl);
  for (const [k, v] of Object.entries({ client_id: key.clientId, response_type: 'code', redirect_uri: key.redirectUri, user: userLmsId })) authorize.searchParams.set(k, v);
  const back = await fetch(authorize, { redirect: 'manual' });
  const code = new URL(back.headers.get('location') ?? '', key.baseUrl).searchParams.get('code');
  if (back.status !== 302 || !code) throw new Error(`Canvas's authorize page answered ${back.status} without a code`);
  return exchangeCanvasCode(key, code, newTransport());
}

export async function connectDemoLms(emulator: Emulator, tool: { clientId: string; deploymentId: string }, publicUrl: string): Promise<void> {
  const { course } = emulator;
  const instructor = course.users.find((u) => u.role === 'Instructor')!;
  const participation = course.activities.find((a) => a.label === 'Participation')!;
  const week1 = course.modules[0]!;
  let rules;
  if (emulator.flavour === 'canvas') {
    const redirectUri = canvasRedirectUri(publicUrl);
    const key = emulator.canvasApiKey({ redirectUri });
    const baseUrl = emulator.url;
    await connectCanvas(emulator.issuer, tool.clientId, { baseUrl, apiClientId: key.clientId, apiClientSecret: key.clientSecret, enforcesScopes: false }, 'demo');
    await saveCanvasGrant(emulator.issuer, tool.clientId, instructor.id, await emulatedCanvasGrant({ baseUrl, clientId: key.clientId, clientSecret: key.clientSecret, redirectUri }, instructor.lmsId));
    rules = [{ kind: 'minGrade' as const, lineItemId: `canvas:assignment:${participation.id}`, percent: 80 }, { kind: 'completed' as const, lineItemId: `canvas:module:${week1.id}` }];
  } else {
    await connectMoodle(emulator.issuer, tool.clientId, { baseUrl: emulator.url, token: emulator.moodleWsToken({ functions: [...MOODLE_WS_FUNCTIONS] }) }, 'demo');
    const cm = course.modules.flatMap((m) => m.items).find((i) => i.activityId === participation.id)!;
    rules = [{ kind: 'minGrade' as const, lineItemId: `moodle:cm:${cm.id}`, percent: 80 }, { kind: 'completed' as const, lineItemId: `moodle:cm:${week1.items[0]!.id}` }];
  }
  const courseKey = courseKeyOf(emulator.issuer, tool.clientId, tool.deploymentId, course.contextId);
  await saveBadge(courseKey, {
    id: 'demo-week-1', name: 'Week 1 Done', description: 'Took part in class and finished the first week.', tags: [], alignments: [],
    issueMode: 'automatic', evidenceRequired: false, rules: { kind: 'all', rules },
  }, instructor.id);
}
