/**
 * A learner's data, as one JSON document (issue 20): everything Laurel holds about one person of
 * one registration, in every course of the platform, including their signed credentials. Theirs
 * and nobody else's: whoever else a record names (the instructor who awarded or approved, who
 * added evidence, who acted in the audit log) appears as a role word, never by id or name; secrets
 * (Canvas tokens) never appear, only that a grant exists.
 */
import { RenewalModel } from '../../store/renewal.js';
import { ApprovalModel } from '../../store/approval.js';
import { GradebookScoreModel } from '../../store/gradebookScore.js';
import { EngagementModel, ENGAGEMENT_KINDS } from '../../store/engagement.js';
import { AuditEntryModel } from '../../store/auditLog.js';
import { CourseStandingModel } from '../../store/courseStanding.js';
import { CourseStaffModel } from '../../store/courseStaff.js';
import { EvaluationJobModel, type BulkAwardInput } from '../../store/evaluationJob.js';
import { LearnerCoursesModel } from '../../store/learnerCourse.js';
import { TaughtCoursesModel } from '../../store/taughtCourse.js';
import { MessageRecipientModel } from '../../store/messageRecipient.js';
import { LmsUserModel, personKey } from '../../store/lmsUser.js';
import { CanvasGrantModel } from '../../store/canvasGrant.js';
import { ErasureRequestModel } from '../../store/erasureRequest.js';
import { awardsOfPerson, byCourse, contextTokensOf, coursesOfPlatform, credentialsOfPerson, idTokensOf, launchedCourseKeys, loginsInProgressOf, outboxMessagesOf, publicProfilesOf, walletExchangesOf, type Person } from './personRecords.js';

/** How another person appears in someone's export. */
export const AN_INSTRUCTOR = 'an instructor';
export const YOU = 'you';
const LAUREL = 'laurel';

const who = (p: Person, id: string | undefined) => (id === undefined ? undefined : id === p.userId ? YOU : id === LAUREL ? 'Laurel' : AN_INSTRUCTOR);
const parse = (json: string | undefined) => (json ? JSON.parse(json) as unknown : undefined);

export interface PersonExport {
  about: string;
  exportedAt: string;
  registration: { issuer: string; clientId: string };
  person: { userId: string; lmsUserId?: string };
  courses: Record<string, unknown>[];
  launchedAsLearner?: unknown;
  launchedAsStaff?: unknown;
  messages?: unknown;
  canvasApiGrant?: unknown;
  publicPages: unknown[];
  outboxMessages: unknown[];
  /** Their launches' tokens (a day), the wallet exchanges of their badges' wallet pages and their logins in progress (ten minutes each). */
  sessions: { idTokens: unknown[]; contextTokens: unknown[]; walletExchanges: unknown[]; loginsInProgress: unknown[] };
  erasureRequest?: unknown;
}

/** Everything of the person, course by course, then what is kept per person. */
export async function exportPerson(p: Person, now = new Date()): Promise<PersonExport> {
  const key = personKey(p.issuer, p.clientId, p.userId);
  const courses = await coursesOfPlatform(p);
  const platformKeys = new Set(courses.map((c) => c.courseKey));
  // Their awards and credentials across the platform, by the indexes on the user id: one query each.
  const [awardsIn, credentialsIn, launched] = await Promise.all([
    awardsOfPerson(p, platformKeys).then(byCourse), credentialsOfPerson(p, platformKeys).then(byCourse), launchedCourseKeys(p),
  ]);
  const perCourse: Record<string, unknown>[] = [];
  for (const course of courses) {
    const data = await courseData(p, course.courseKey, { awards: awardsIn.get(course.courseKey) ?? [], credentials: credentialsIn.get(course.courseKey) ?? [], launched: launched.has(course.courseKey) });
    if (!data) continue;
    perCourse.push({ courseKey: course.courseKey, title: course.title, label: course.label, ...data });
  }
  const [learner, taught, recipient, lmsUser, grant, request] = await Promise.all([
    LearnerCoursesModel.findById(key).lean(), TaughtCoursesModel.findById(key).lean(), MessageRecipientModel.findById(key).lean(),
    LmsUserModel.findById(key).lean(), CanvasGrantModel.findById(key).lean(), ErasureRequestModel.findById(key).lean(),
  ]);
  const [profiles, outbox] = await Promise.all([publicProfilesOf(p), outboxMessagesOf(p)]);
  const [idTokens, contextTokens, exchanges, logins] = await Promise.all([idTokensOf(p, courses), contextTokensOf(p), walletExchangesOf(p, courses), loginsInProgressOf(p)]);
  const strip = ({ _id, issuer: _i, clientId: _c, userId: _u, ...rest }: Record<string, unknown>) => rest;
  return {
    about: 'Everything Laurel holds about you on this platform, as of exportedAt. Other people appear as "an instructor"; "you" is you.',
    exportedAt: now.toISOString(),
    registration: { issuer: p.issuer, clientId: p.clientId },
    person: { userId: p.userId, ...(lmsUser ? { lmsUserId: lmsUser.lmsUserId } : {}) },
    courses: perCourse,
    ...(learner ? { launchedAsLearner: strip(learner as unknown as Record<string, unknown>) } : {}),
    ...(taught ? { launchedAsStaff: strip(taught as unknown as Record<string, unknown>) } : {}),
    ...(recipient ? { messages: strip(recipient as unknown as Record<string, unknown>) } : {}),
    ...(grant ? { canvasApiGrant: { exists: true, connectedAt: grant.connectedAt, expiresAt: grant.expiresAt, scopes: grant.scopes, refused: Boolean(grant.refusedAt) } } : {}),
    publicPages: profiles.map(({ _id, issuer: _i, clientId: _c, userId: _u, ...rest }) => ({ id: _id, ...rest })),
    outboxMessages: outbox.map(({ issuer: _i, clientId: _c, platform: _p, userId: _u, ...rest }) => rest),
    sessions: {
      idTokens: idTokens.map((t) => ({ user: t.user, userInfo: t.userInfo, platformInfo: t.platformInfo, deploymentId: t.deploymentId, createdAt: t.createdAt })),
      contextTokens: contextTokens.map((t) => ({ user: t.user, roles: t.roles, context: t.context, resource: t.resource, lis: t.lis, custom: t.custom, createdAt: t.createdAt })),
      // Neither the exchange's challenge nor the login's state and nonce: what a wallet or the LMS answers with, not about them.
      walletExchanges: exchanges.map((e) => ({ awardId: e.publicId, badgeId: e.badgeId, state: e.state, expiresAt: e.expiresAt, ...(e.holder ? { holder: e.holder, completedAt: e.completedAt } : {}) })),
      loginsInProgress: logins.map((l) => ({ loginHint: l.initiation?.login_hint, targetLinkUri: l.initiation?.target_link_uri, expiresAt: l.expiresAt })),
    },
    ...(request ? { erasureRequest: { choice: request.choice, requestedAt: request.requestedAt, name: request.name, confirmedAt: request.confirmedAt } } : {}),
  };
}

type Held = { awards: Awaited<ReturnType<typeof awardsOfPerson>>; credentials: Awaited<ReturnType<typeof credentialsOfPerson>>; launched: boolean };

/**
 * What one course holds of the person; undefined when it holds nothing. Its whole audit log is read
 * only where they were (anything of theirs here, or a course they launched): on a platform of 500
 * courses, reading every course's log made the export take a minute.
 */
async function courseData(p: Person, courseKey: string, held: Held): Promise<Record<string, unknown> | undefined> {
  const { awards, credentials } = held;
  const awardIds = awards.map((a) => a.id);
  const [renewals, approvals, scores, engagements, standing, staff, jobs] = await Promise.all([
    Promise.all(awards.filter((a) => a.renewal).map((a) => RenewalModel.find({ courseKey, badgeId: a.badgeId }).lean().then((rs) => rs.filter((r) => r.awardId === a.id)))).then((x) => x.flat()),
    ApprovalModel.find({ courseKey, userId: p.userId }).lean(),
    GradebookScoreModel.find({ courseKey, userId: p.userId }).lean(),
    Promise.all(awardIds.flatMap((id) => ENGAGEMENT_KINDS.map((kind) => EngagementModel.findById(`${id}:${kind}`).lean()))).then((x) => x.filter((e) => e !== null)),
    CourseStandingModel.findById(courseKey).lean(),
    CourseStaffModel.findById(courseKey).lean(),
    EvaluationJobModel.find({ courseKey }).lean(),
  ]);
  const standingOf = Object.entries((standing?.badges ?? {}) as Record<string, Record<string, string[]>>).flatMap(([badgeId, lists]) =>
    Object.entries(lists).filter(([, ids]) => Array.isArray(ids) && ids.includes(p.userId)).map(([where]) => ({ badgeId, standing: where })));
  const staffRoles = (['launched', 'listed', 'graders'] as const).filter((field) => staff?.[field]?.includes(p.userId));
  const bulk = jobs.filter((j) => j.requestedBy === p.userId || (j.kind === 'award' && (j.input as BulkAwardInput | undefined)?.members?.some((m) => m.userId === p.userId)));
  const there = held.launched || [awards, credentials, renewals, approvals, scores, engagements, standingOf, staffRoles, bulk].some((list) => list.length > 0);
  const audit = there ? (await AuditEntryModel.find({ courseKey }).lean()).filter((e) => e.userId === p.userId || e.actor === p.userId) : [];
  const nothing = [awards, credentials, renewals, approvals, scores, engagements, audit, standingOf, staffRoles, bulk].every((list) => list.length === 0);
  if (nothing) return undefined;
  return {
    awards: awards.map(({ _id, userId: _u, reasonJson, awardedBy, revokedBy, evidence, ...a }) => ({
      ...a, ...(reasonJson ? { reason: parse(reasonJson) } : {}), awardedBy: who(p, awardedBy), revokedBy: who(p, revokedBy),
      evidence: (evidence ?? []).map(({ addedBy, ...e }) => ({ ...e, addedBy: who(p, addedBy) })),
    })),
    credentials: credentials.map((c) => ({ publicId: c._id, awardId: c.awardId ?? c._id, badgeId: c.badgeId, issuedAt: c.issuedAt, facts: parse(c.factsJson), credential: parse(c.credentialJson), jwt: c.jwt })),
    renewals: renewals.map(({ _id, userId: _u, reasonJson, ...r }) => ({ ...r, ...(reasonJson ? { reason: parse(reasonJson) } : {}) })),
    approvals: approvals.map((a) => ({ badgeId: a.badgeId, approvedAt: a.approvedAt, approvedBy: who(p, a.approvedBy) })),
    gradebookScores: scores.map((s) => ({ badgeId: s.badgeId, awardId: s.awardId, wanted: s.wanted, state: s.state, updatedAt: s.updatedAt })),
    engagements: engagements.map((e) => ({ awardId: e!.awardId, kind: e!.kind, at: e!.at })),
    // What they did to someone else (as staff) says what, not about whom: that is the other person's.
    auditEntries: audit.map((e) => ({
      at: e.at, action: e.action, badgeId: e.badgeId, by: who(p, e.actor), ...(e.actor === p.userId && e.actorName ? { byName: e.actorName } : {}),
      ...(e.userId === p.userId || !e.userId ? { awardId: e.awardId, detail: e.detail } : {}),
    })),
    standing: standingOf,
    staff: staffRoles,
    bulkJobs: bulk.map((j) => ({
      id: j.id, kind: j.kind, createdAt: j.createdAt, status: j.status, requestedBy: who(p, j.requestedBy),
      ...(j.kind === 'award' ? { you: (j.input as BulkAwardInput).members.filter((m) => m.userId === p.userId), badgeName: (j.input as BulkAwardInput).badgeName } : {}),
    })),
  };
}

/** True when the export holds nothing of the person (after an erasure). */
export function isEmptyExport(e: PersonExport): boolean {
  return e.courses.length === 0 && !e.launchedAsLearner && !e.launchedAsStaff && !e.messages && !e.canvasApiGrant && !e.person.lmsUserId
    && e.publicPages.length === 0 && e.outboxMessages.length === 0
    && Object.values(e.sessions).every((list) => list.length === 0);
}
