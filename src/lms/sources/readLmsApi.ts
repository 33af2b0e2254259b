/**
 * The platform's LMS API (Canvas REST or Moodle web services), when an administrator connected
 * one: read beside the LTI services (readLmsApi), then merged into their snapshot with the
 * learners matched to the roster (mergeLmsApi). Whatever goes wrong with the API (no grant yet, a
 * refused token, the LMS failing) is recorded as the source's state with a message, so rules on
 * its items say what to do, and the LTI part of the run goes on: evaluation only ever adds awards,
 * so nothing already awarded is touched. A failure is said in Laurel's words with who can fix it
 * (the teacher never sees Moodle's own), logged at warn with what the LMS said, and kept on the
 * platform's connection for the admin page (issue 13).
 */
import type { Logger } from 'pino';
import type { BadgeDefinition, Rule } from '../../rules/badge.js';
import type { CourseSnapshot, LmsApiSource, Member, SourceStatus } from '../../rules/snapshot.js';
import { audienceOf } from '../../rules/audience.js';
import type { CourseRecord } from '../../store/course.js';
import { setLmsApiGrantedBy } from '../../store/course.js';
import { connectionSecrets, lmsConnectionOf, recordLmsFailure, type LmsConnection } from '../../store/lmsConnection.js';
import { inputProblem, type InputProblem } from '../../inputProblem.js';
import { canvasGrantOf, grantTokens, markCanvasGrantRefused, saveRefreshedTokens, type CanvasGrant } from '../../store/canvasGrant.js';
import { lmsUserIdOf, lmsUserIdsOf } from '../../store/lmsUser.js';
import { LmsError } from '../errors.js';
import { sisIdText } from '../read.js';
import type { Transport } from '../http.js';
import { CanvasApi } from '../canvasRest/canvasApi.js';
import { CanvasBearer } from '../canvasRest/canvasBearer.js';
import { readCanvasCourse } from '../canvasRest/readCanvasCourse.js';
import { canvasRedirectUri } from '../canvasRest/canvasRedirect.js';
import { scopesReadModuleItems } from '../canvasRest/canvasOAuth.js';
import { publicBase } from '../../publicBase.js';
import { MoodleWs, MoodleWsError } from '../moodleWs/moodleWsApi.js';
import { readMoodleCourse } from '../moodleWs/readMoodleCourse.js';
import { matchLearners, type LearnerMatch } from './matchLearners.js';
import { unreadText } from '../../rules/sources.js';
import { mergeReading } from './mergeReading.js';
import type { LmsStaff, ReadOptions, SourceReading } from './reading.js';

export interface LmsApiOptions {
  /** The course's badges (a draft included): completion is read only when a rule asks for it. */
  badges: readonly BadgeDefinition[];
  /** Only this learner (a learner's launch). */
  userId?: string;
  transport: Transport;
  /** Only what there is to set rules on, nobody's grades (the rule pickers). */
  itemsOnly?: boolean;
  /** Only who is enrolled, with their names (a roster whose names LTI hides). */
  learnersOnly?: boolean;
  /** People whose Canvas grant may be used before the roster's instructors: the instructor on the page. */
  grantHolders?: readonly string[];
  /** The LTI roster, read meanwhile: asked only when no grant is found otherwise. */
  roster: () => Promise<readonly Member[]>;
  /** Where a failure is logged (at warn) for the administrator. */
  log?: Logger;
}

/** What reading the API came to: its reading (and the Canvas ids launches taught Laurel), or why there is none. */
export type LmsApiOutcome =
  | { source: LmsApiSource; reading: SourceReading; knownLmsIds?: ReadonlyMap<string, string> }
  | { source: LmsApiSource; state: Exclude<SourceStatus, 'read'>; message: string; problem?: InputProblem }
  | undefined;

const LMS_NAMES: Record<LmsApiSource, string> = { 'canvas-rest': 'Canvas', 'moodle-ws': 'Moodle' };

/** Reads the platform's LMS API for the course, if one is connected; runs beside the LTI reading. */
export async function readLmsApi(course: CourseRecord, o: LmsApiOptions): Promise<LmsApiOutcome> {
  const connection = await lmsConnectionOf(course.issuer, course.clientId);
  if (!connection) return undefined;
  const source = connection.kind;
  const unread = (state: Exclude<SourceStatus, 'read'>, message: string) => ({ source, state, message });
  if (!course.lmsCourseId) {
    return unread('failed', source === 'canvas-rest'
      ? 'Canvas did not send its course id with the launch, so Laurel cannot read the course through the Canvas API: an administrator adds canvas_course_id=$Canvas.course.id to Laurel\'s custom fields, then someone opens Laurel in the course again.'
      : 'Moodle did not send its course id with the launch: open Laurel from the course again.');
  }
  const read: ReadOptions = { completions: needsCompletion(o.badges, source), itemsOnly: o.itemsOnly, learnersOnly: o.learnersOnly };
  let grant: CanvasGrant | undefined;
  try {
    if (source === 'moodle-ws') {
      // Moodle's LTI user id is its own user id.
      if (o.userId) read.lmsUserIds = [o.userId];
      const ws = new MoodleWs(connection.baseUrl, connectionSecrets(connection).token!, o.transport);
      return { source, reading: await readMoodleCourse(ws, course.lmsCourseId, read) };
    }
    const found = await canvasApiFor(course, connection, o);
    if (typeof found === 'string') {
      // Said as the dashboard says it (sources.unread), with what to do.
      const state = found === 'none' ? 'not authorized' : 'needs reconnect';
      return unread(state, `Laurel reads ordinary assignments and completion through ${unreadText(source, state)}.`);
    }
    grant = found.grant;
    // The pickers need nobody's id, a learner's launch only theirs, a course run everyone's.
    let knownLmsIds: ReadonlyMap<string, string> = new Map();
    if (o.userId) {
      const id = await lmsUserIdOf(course.issuer, course.clientId, o.userId);
      // A learner Laurel knows no Canvas id for (Canvas did not substitute it) gets no Canvas data.
      if (id) {
        knownLmsIds = new Map([[o.userId, id]]);
        read.lmsUserIds = [id];
      } else read.itemsOnly = true;
    } else if (!o.itemsOnly) knownLmsIds = await lmsUserIdsOf(course.issuer, course.clientId);
    const reading = await readCanvasCourse(found.api, course.lmsCourseId, read, { moduleItems: scopesReadModuleItems(Boolean(connection.enforcesScopes), found.grant.scopes) });
    // Read, but not all: said to the administrator as a failure is, and on the course page.
    if (reading.problem) await noteProblem(course, connection, reading.problem, o.log);
    return { source, reading, knownLmsIds };
  } catch (err) {
    const problem = await noteFailure(course, connection, err, o.log);
    if (err instanceof LmsError && err.kind === 'reconnect') {
      // Marked, so the course page asks to connect again until someone does.
      if (grant) await markCanvasGrantRefused(grant);
      return unread('needs reconnect', err.message);
    }
    return { ...unread('failed', `Laurel could not read this course through ${LMS_NAMES[source]}'s API: ${problem.message}`), problem };
  }
}

/**
 * Logs a failed reading at warn for the administrator (with the LMS's own words, never a token)
 * and keeps it on the platform's connection for the admin page; answers it in Laurel's words.
 */
async function noteFailure(course: CourseRecord, connection: LmsConnection, err: unknown, log: Logger | undefined): Promise<InputProblem> {
  const problem = err instanceof MoodleWsError ? err.problem : inputProblem('lms.apiFailed', (err as Error).message, { why: (err as Error).message });
  log?.warn({
    platform: course.issuer, clientId: course.clientId, courseKey: course.courseKey, lmsCourseId: course.lmsCourseId, source: connection.kind,
    kind: err instanceof LmsError ? err.kind : 'error', status: err instanceof LmsError ? err.status : undefined,
    ...(err instanceof MoodleWsError ? { wsfunction: err.wsfunction, errorcode: err.errorcode, moodleSaid: err.moodleSaid } : {}),
    problem: problem.code, why: problem.message,
  }, 'LMS API reading failed');
  await recordLmsFailure(course.issuer, course.clientId, { at: new Date(), courseId: course.lmsCourseId, courseTitle: course.title, problem });
  return problem;
}

/** Something a reading left out, logged at warn and kept on the connection for the admin page as a failure is. */
async function noteProblem(course: CourseRecord, connection: LmsConnection, problem: InputProblem, log: Logger | undefined): Promise<void> {
  log?.warn({ platform: course.issuer, clientId: course.clientId, courseKey: course.courseKey, lmsCourseId: course.lmsCourseId, source: connection.kind, problem: problem.code, why: problem.message }, 'LMS API reading incomplete');
  await recordLmsFailure(course.issuer, course.clientId, { at: new Date(), courseId: course.lmsCourseId, courseTitle: course.title, problem });
}

/** A roster member the LMS's API lists as teaching the course. */
export interface ListedStaff { userId: string; gradesOnly: boolean }

/**
 * The snapshot with the API's reading merged in (learners matched to the roster, its teachers added
 * to the snapshot's staff), or with the API's state saying why not. `staff`: the roster members the
 * API lists as teachers, when it was read.
 */
export function mergeLmsApi(snapshot: CourseSnapshot, outcome: LmsApiOutcome): { snapshot: CourseSnapshot; warnings: string[]; staff?: ListedStaff[] } {
  if (!outcome) return { snapshot, warnings: [] };
  if (!('reading' in outcome)) {
    const { source, state, message, problem } = outcome;
    return { snapshot: { ...snapshot, sources: [...(snapshot.sources ?? []), { source, state, message, ...(problem ? { problem } : {}) }] }, warnings: [message] };
  }
  const known = outcome.knownLmsIds ?? new Map(snapshot.members.map((m) => [m.userId, m.userId]));
  const staff = listedStaff(snapshot.members, outcome.reading.staff ?? [], known);
  const allStaff = new Set([...(snapshot.staff ?? []), ...staff.map((s) => s.userId)]);
  const match = matchLearners(snapshot.members, outcome.reading.learners, known);
  // Staff are no learners left unmatched, whatever the roster calls them.
  const learnersMatch = { ...match, unmatchedMembers: match.unmatchedMembers.filter((m) => !allStaff.has(m.userId)) };
  const read = mergeReading(snapshot, outcome.reading, match);
  // A reading with a problem is still read: the problem goes with its state, for the course page, and with the run's warnings.
  const { problem } = outcome.reading;
  const merged = problem ? { ...read, sources: (read.sources ?? []).map((s) => (s.source === outcome.source ? { ...s, message: problem.message, problem } : s)) } : read;
  const warnings = [...(problem ? [problem.message] : []), ...matchWarnings(outcome.source, learnersMatch)];
  return { snapshot: allStaff.size ? { ...merged, staff: [...allStaff] } : merged, warnings, staff };
}

/** Roster members matched to the API's teachers, as learners are matched: by the LMS user id Laurel knows for them, else a unique SIS id. */
function listedStaff(members: readonly Member[], teachers: readonly LmsStaff[], known: ReadonlyMap<string, string>): ListedStaff[] {
  const byId = new Map(teachers.map((t) => [t.lmsUserId, t]));
  const bySis = new Map<string, LmsStaff[]>();
  for (const t of teachers) {
    const sis = sisIdText(t.sisId);
    if (sis) bySis.set(sis, [...(bySis.get(sis) ?? []), t]);
  }
  return members.flatMap((m) => {
    const sourcedId = sisIdText(m.sourcedId);
    const sis = sourcedId ? bySis.get(sourcedId) : undefined;
    const teacher = byId.get(known.get(m.userId) ?? '') ?? (sis?.length === 1 ? sis[0] : undefined);
    return teacher ? [{ userId: m.userId, gradesOnly: teacher.gradesOnly }] : [];
  });
}

/** Completion costs a request per learner: read only when a rule asks whether one of the API's items is completed. */
function needsCompletion(badges: readonly BadgeDefinition[], source: LmsApiSource): boolean {
  const prefix = source === 'canvas-rest' ? 'canvas:module' : 'moodle:cm:';
  const asks = (r: Rule): boolean => (r.kind === 'all' || r.kind === 'any' ? r.rules.some(asks) : r.kind === 'completed' && r.lineItemId.startsWith(prefix));
  return badges.some((b) => asks(b.rules));
}

/**
 * A Canvas API client on the grant of the instructor who connected from this course, else of any
 * instructor on the roster; 'none' when nobody granted access, 'refused' when every grant found
 * was refused.
 */
export async function canvasApiFor(course: CourseRecord, connection: LmsConnection, o: Pick<LmsApiOptions, 'grantHolders' | 'roster' | 'transport'>): Promise<{ api: CanvasApi; grant: CanvasGrant } | 'none' | 'refused'> {
  const first = [...(course.lmsApiGrantedBy ? [course.lmsApiGrantedBy] : []), ...(o.grantHolders ?? [])];
  let grant = await canvasGrantOf(course.issuer, course.clientId, first);
  if (!grant || grant.refusedAt) {
    // Nobody known has a usable grant: any instructor on the roster may.
    const instructors = (await o.roster()).filter((m) => audienceOf(m.roles) === 'staff' && m.status === 'Active').map((m) => m.userId);
    grant = (await canvasGrantOf(course.issuer, course.clientId, instructors.filter((id) => !first.includes(id)))) ?? grant;
  }
  if (!grant) return 'none';
  if (grant.refusedAt) return 'refused';
  if (grant.userId !== course.lmsApiGrantedBy) await setLmsApiGrantedBy(course.courseKey, grant.userId);
  const key = { baseUrl: connection.baseUrl, clientId: connection.apiClientId!, clientSecret: connectionSecrets(connection).apiClientSecret!, redirectUri: canvasRedirectUri(publicBase()) };
  const bearer = new CanvasBearer({ key, tokens: grantTokens(grant), transport: o.transport, onRefreshed: (t) => saveRefreshedTokens(grant, t) });
  return { api: new CanvasApi(connection.baseUrl, bearer, o.transport), grant };
}

/** The first ten, and an ellipsis when there are more: a warning names people without listing a whole course. */
const firstNames = (names: string[]) => names.slice(0, 10).join(', ') + (names.length > 10 ? '…' : '');

function matchWarnings(source: LmsApiSource, m: LearnerMatch): string[] {
  const lms = LMS_NAMES[source];
  const warnings: string[] = [];
  if (m.unmatchedMembers.length) {
    const who = firstNames(m.unmatchedMembers.map((x) => x.name ?? x.userId));
    const why = source === 'canvas-rest'
      ? 'they have not opened Laurel yet and Canvas gives no SIS id that matches them'
      : 'Moodle does not list them among the course\'s students';
    const n = m.unmatchedMembers.length;
    warnings.push(`${n} ${n === 1 ? 'learner' : 'learners'} of the roster could not be matched to ${lms} users (${who}): ${why}. What only ${lms}'s API sees (its assignments, modules or activities) counts as not done for them until they are matched.`);
  }
  if (m.unmatchedLearners.length) {
    const who = firstNames(m.unmatchedLearners.map((x) => x.name ?? `user ${x.lmsUserId}`));
    const n = m.unmatchedLearners.length;
    warnings.push(`${lms} lists ${n} ${n === 1 ? 'student' : 'students'} that ${n === 1 ? 'matches' : 'match'} no learner of the LTI roster (${who}): their ${lms} data is left out.`);
  }
  return warnings;
}
