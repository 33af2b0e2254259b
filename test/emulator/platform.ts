/**
 * The state of one running emulator, shared by its endpoints.
 */
import { STORAGE_FRAME, type StorageTarget } from './platformStorage.js';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { SeedActivity, SeedCourse, SeedResult, SeedUser } from './course.js';
import { PATHS, serviceUrls, type Flavour, type FlavourPaths } from './flavours.js';
import type { PlatformKeys } from './keys.js';
import type { RegisteredTool } from './tools.js';

export type LtiMessageType = 'LtiResourceLinkRequest' | 'LtiDeepLinkingRequest';

export interface ServiceRequest { method: string; /** path and query */ path: string; status: number }

export interface DeepLinkReturn { clientId: string; contentItems: Record<string, unknown>[] }

/** A launch between login initiation and the auth request, keyed by its lti_message_hint. */
export interface PendingLaunch {
  user: SeedUser;
  tool: RegisteredTool;
  message: LtiMessageType;
  resourceLinkId?: string;
  targetLinkUri: string;
  /** The user's language, sent back in the id_token's launch_presentation.locale. */
  locale: string;
  loginHint: string;
  /**
   * The Canvas session of the browser that reaches the auth endpoint: the launch's user (default),
   * nobody (signed out, session expired, cookies blocked), or someone else. Canvas answers the
   * last two with login_required (app/controllers/lti/ims/authentication_controller.rb).
   */
  session: LaunchSession;
  expiresAt: number;
}

export type LaunchSession = 'user' | 'none' | 'other_user';

export interface AccessToken { clientId: string; scopes: string[]; expiresAt: number }

export interface ThrottleState { remaining: number; retryAfterSeconds: number; paths?: RegExp }

export interface Platform {
  flavour: Flavour;
  /** The emulator's origin (Canvas: the school's host), where the course page, registration and services live. */
  url: string;
  paths: FlavourPaths;
  /**
   * Cloud Canvas signs as one issuer for every school (https://canvas.instructure.com: canvas-lms
   * config/dynamic_settings.yml `lti_iss`, read as Canvas::Security.config['lti_iss'] in
   * lib/lti/messages/jwt_message.rb) and answers the OIDC login, token and key set on its sso host
   * (https://sso.canvaslms.com: app/controllers/lti/ims/authentication_controller.rb's
   * authorize_redirect, security_controller.rb's jwks). Default: url for both, as a self-hosted LMS.
   */
  issuer: string;
  sso: string;
  /**
   * Canvas: the origin the course page is shown from, which its launch URLs name (return_url,
   * deep_link_return_url): cloud Canvas builds them from the host the person browses, the
   * school's (school.instructure.com) or its own domain, never the issuer
   * (canvas-lms lib/lti/messages/jwt_message.rb, deep_linking_request.rb: polymorphic_url).
   * Default: url.
   */
  courseHost?: string;
  /** The course launches go to; during a service request naming an earlier course (withCourse), that one. */
  course: SeedCourse;
  /** Courses this one was copied from (courseCopy.ts): still there, as in the LMS, for their services. */
  pastCourses: SeedCourse[];
  tools: RegisteredTool[];
  keys: PlatformKeys;
  privacy: { hideNames: boolean; hideEmails: boolean };
  /** Page size when the tool asks for none; undefined: the flavour's default. */
  pageSize?: number;
  latencyMs?: number;
  /** Canvas: where a tool keeps Platform Storage values (`_parent`: the storage frame is off). */
  storageTarget: StorageTarget;
  /** Canvas: dynamic registration makes a root-account deployment and names it (top-level `deployment_id`). */
  rootDeploymentAtRegistration?: boolean;
  requests: ServiceRequest[];
  deepLinks: DeepLinkReturn[];
  pendingLaunches: Map<string, PendingLaunch>;
  accessTokens: Map<string, AccessToken>;
  usedJtis: Set<string>;
  throttle: ThrottleState;
  /** LTI user id → how many more of their score posts fail with 500 (an LMS stumbling on one learner). */
  scoreFailures: Map<string, number>;
  registrationTokens: Set<string>;
  /** `data` sent in deep-linking requests → the client id it was sent to. */
  deepLinkData: Map<string, string>;
}

const requestCourse = new AsyncLocalStorage<{ p: Platform; course: SeedCourse }>();

/** Runs `fn` (and what it awaits) with `course` as the platform's course: a service request to an earlier course. */
export function withCourse<T>(p: Platform, course: SeedCourse, fn: () => T): T {
  return requestCourse.run({ p, course }, fn);
}

export function newPlatform(o: Pick<Platform, 'flavour' | 'url' | 'course' | 'keys' | 'privacy' | 'pageSize' | 'latencyMs' | 'rootDeploymentAtRegistration'> & Partial<Pick<Platform, 'issuer' | 'sso'>> & { storageTarget?: StorageTarget }): Platform {
  const { course, ...rest } = o;
  let current = course;
  const p: Omit<Platform, 'course'> = {
    ...rest,
    storageTarget: o.storageTarget ?? STORAGE_FRAME,
    issuer: o.issuer ?? o.url,
    sso: o.sso ?? o.url,
    pastCourses: [],
    paths: PATHS[o.flavour],
    tools: [],
    requests: [],
    deepLinks: [],
    pendingLaunches: new Map(),
    accessTokens: new Map(),
    usedJtis: new Set(),
    throttle: { remaining: 0, retryAfterSeconds: 0 },
    scoreFailures: new Map(),
    registrationTokens: new Set(),
    deepLinkData: new Map(),
  };
  return Object.defineProperty(p, 'course', {
    get: () => {
      const scoped = requestCourse.getStore();
      return scoped?.p === p ? scoped.course : current;
    },
    set: (c: SeedCourse) => { current = c; },
    enumerable: true,
  }) as Platform;
}

/**
 * Lookups over the course, rebuilt whenever the arrays change identity or length (tests edit
 * the course directly; the emulator's own edits call forgetIndexes), so a 2,000-learner course
 * costs a page's worth of work per request, not a scan of every result.
 */
interface Indexes { users: SeedUser[]; usersLength: number; results: SeedResult[]; resultsLength: number; byId: Map<string, SeedUser>; byItem: Map<string, SeedResult[]> }
const indexes = new WeakMap<Platform, Indexes>();

function indexesOf(p: Platform): Indexes {
  const { users, results } = p.course;
  const known = indexes.get(p);
  if (known && known.users === users && known.usersLength === users.length && known.results === results && known.resultsLength === results.length) return known;
  const byId = new Map<string, SeedUser>();
  for (const u of users) { byId.set(u.lmsId, u); }
  for (const u of users) { byId.set(u.id, u); } // the LTI id wins over a numeric id that looks the same
  const byItem = new Map<string, SeedResult[]>();
  for (const r of results) {
    const list = byItem.get(r.lineItemId);
    if (list) list.push(r);
    else byItem.set(r.lineItemId, [r]);
  }
  const built = { users, usersLength: users.length, results, resultsLength: results.length, byId, byItem };
  indexes.set(p, built);
  return built;
}

export function forgetIndexes(p: Platform): void {
  indexes.delete(p);
}

/** A user by LTI id (`sub`) or by the LMS's numeric id. */
export function findUser(p: Platform, id: unknown): SeedUser | undefined {
  return typeof id === 'string' ? indexesOf(p).byId.get(id) : undefined;
}

/** The results of one line item, in the course's order. */
export function resultsOf(p: Platform, lineItemId: string): SeedResult[] {
  return indexesOf(p).byItem.get(lineItemId) ?? [];
}

export function servicesFor(p: Platform, tool: RegisteredTool) {
  return serviceUrls(p.flavour, p.url, p.course, tool.typeId);
}

/** Line items a tool may see through AGS: its links' items and those it created (digest §4). */
export function visibleLineItems(p: Platform, tool: RegisteredTool): SeedActivity[] {
  return p.course.activities.filter((a) => a.ags && (a.clientId === undefined || a.clientId === tool.clientId));
}
