/**
 * An LMS emulator playing the platform side of LTI 1.3 over real HTTP, as Canvas or as Moodle
 * behave (see /work/shared/docs/lti-digest.md): OIDC launch, dynamic registration, service
 * tokens, AGS, NRPS, deep linking, Platform Storage, throttling on demand.
 */
import type { StorageTarget } from './platformStorage.js';
import { createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.js';
import { canvasApiKey, expireCanvasTokens, revokeCanvasTokens, type CanvasApiKey } from './canvasOAuth.js';
import { canvasRateLimit, drainCanvasBuckets, type CanvasRateLimit } from './canvasThrottle.js';
import { idTokenClaims, type ClaimsRequest } from './claims.js';
import { seedCourse, type SeedCourse } from './course.js';
import { copyOfCourse, type CourseCopyOptions } from './courseCopy.js';
import type { Flavour } from './flavours.js';
import { createPlatformKeys, signJwt, type SignOptions } from './keys.js';
import { launchUrl, type LaunchUrlOptions } from './launch.js';
import { changeMoodleWsToken, createMoodleWsToken, revokeMoodleWsToken, setMoodleWebServices, type MoodleWsTokenOptions } from './moodleWsTokens.js';
import { newPlatform, type DeepLinkReturn, type ServiceRequest } from './platform.js';
import { dynamicRegistrationUrl } from './registration.js';
import { expireTokens } from './token.js';
import { registerTool, type RegisteredTool, type ToolRegistration } from './tools.js';
import { courseTotal, type CourseTotal } from './courseTotal.js';
import { canvasConversationsOf, type SentConversation } from './canvasConversations.js';
import { moodleMessagesOf, setMoodleMessaging, type SentMoodleMessage } from './moodleWsMessages.js';

export { seedCourse } from './course.js';
export type { CourseRole, MemberStatus, SeedActivity, SeedCourse, SeedOptions, SeedResult, SeedUser } from './course.js';
export type { Flavour } from './flavours.js';
export type { CourseCopyOptions } from './courseCopy.js';
export type { CanvasApiKey } from './canvasOAuth.js';
export type { CourseTotal } from './courseTotal.js';
export type { CanvasRateLimit } from './canvasThrottle.js';
export type { SentConversation } from './canvasConversations.js';
export type { SentMoodleMessage } from './moodleWsMessages.js';
export type { ClaimsRequest } from './claims.js';
export type { SignOptions } from './keys.js';
export type { LaunchUrlOptions } from './launch.js';
export type { DeepLinkReturn, LaunchSession, LtiMessageType, ServiceRequest } from './platform.js';
export type { RegisteredTool, ToolRegistration } from './tools.js';

export interface EmulatorOptions {
  flavour: Flavour;
  /** 0 (default): a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default: seedCourse({ flavour }). */
  course?: SeedCourse;
  privacy?: { hideNames?: boolean; hideEmails?: boolean };
  /**
   * Page size of AGS/NRPS lists when the tool asks for none (default: Canvas 10, Moodle everything);
   * on Canvas also the most a page holds, as a site's maximum per_page (default 100).
   */
  pageSize?: number;
  /** Milliseconds added to every request, as a distant LMS would (for benchmarks). */
  latencyMs?: number;
  /** Canvas: `_parent` as Canvas sends it when its Platform Storage frame is off (default: the frame). */
  storageTarget?: StorageTarget;
  /**
   * Canvas with `lti_registrations_next`: dynamic registration creates a root-account deployment
   * and answers its id at the top level (canvas-lms app/controllers/lti/ims/
   * dynamic_registration_controller.rb, `create` → `render_registration(…, deployment)`).
   */
  rootDeploymentAtRegistration?: boolean;
  /**
   * Serve HTTPS under this host name (it must resolve to `host`), as a real LMS on a site of its
   * own: the browser tests put Laurel and the LMS on two sites with a local CA.
   */
  tls?: { hostname: string; key: string | Buffer; cert: string | Buffer };
  /**
   * Canvas, with tls: serve as cloud Canvas does on several host names (all resolving to `host`,
   * one port): the issuer host (canvas.instructure.com), the sso host that answers the OIDC login,
   * token and key set (sso.canvaslms.com); tls.hostname is the school's host, where the course
   * page, registration and services live. showCourseFrom adds the school's own domain.
   */
  cloudHosts?: { issuer: string; sso: string };
}

export interface Emulator {
  flavour: Flavour;
  /** e.g. http://127.0.0.1:4321 */
  url: string;
  issuer: string;
  endpoints: { auth: string; token: string; jwks: string; openidConfiguration: string; registration: string };
  /** The seeded data, live: tests may change grades or members. */
  course: SeedCourse;
  /**
   * Next term: the course is copied (Canvas course copy, Moodle backup and restore) and the copy
   * becomes the course launches go to; the earlier one still answers its services. Answers the copy.
   */
  copyCourse(o?: CourseCopyOptions): SeedCourse;
  /** Manual registration, like an admin pasting the tool's URLs. */
  registerTool(t: ToolRegistration): { clientId: string; deploymentId: string };
  /**
   * Canvas: the next launches show the course from this origin (the school's host, or its own
   * domain), which their return URLs name; undefined goes back to the emulator's own origin.
   */
  showCourseFrom(origin: string | undefined): void;
  /** Registered tools (manual or dynamic registration). */
  tools: RegisteredTool[];
  /** Canvas "+ App › By Client ID": a new deployment of the tool, which later launches come from. Answers its id. */
  installByClientId(clientId: string): string;
  /** A URL a browser opens to launch as that user (course page with the tool in an iframe unless embed is false). */
  launchUrl(o: LaunchUrlOptions): string;
  /** The admin page that runs dynamic registration against the tool's registration URL. */
  dynamicRegistrationUrl(toolRegisterUrl: string): string;
  /** Signs arbitrary claims (default: platform key, RS256, real kid); `alg: 'none'` gives an unsigned token. */
  signIdToken(payload: object, opts?: SignOptions): Promise<string>;
  /** The claims a real launch would carry. */
  idTokenClaims(o: ClaimsRequest): Record<string, unknown>;
  /** The next `times` service requests (matching `paths`) answer as the LMS does when throttling. */
  throttle(o: { times: number; retryAfterSeconds: number; paths?: RegExp }): void;
  /** Expires every access token issued so far: service calls with them answer 401. */
  expireTokens(): void;
  /** Every LTI service access token issued so far (a test searches logs for them). */
  accessTokens(): string[];
  /** The next `times` score posts for this learner (LTI user id) answer 500. */
  failScores(userId: string, times: number): void;
  /** The learner's course total in points as the LMS counts it: which columns count (courseTotal.ts). */
  courseTotal(userId: string): CourseTotal;
  /** Service requests (token, AGS, NRPS, Canvas REST, Moodle web services) with their answer status; `path` includes the query. */
  requests: ServiceRequest[];
  /** Content items received from tools through deep linking. */
  deepLinks: DeepLinkReturn[];
  /**
   * Moodle: a web-service token for a service allowing these functions (wsfunction names), for
   * /webservice/rest/server.php; its account holds `capabilities` (default: every one, as a site
   * administrator), its service is enabled unless `serviceEnabled` is false.
   */
  moodleWsToken(o: MoodleWsTokenOptions): string;
  /** Moodle: an administrator changes the token's service (functions, enabled) or its account's capabilities. */
  changeMoodleWsToken(token: string, o: Partial<MoodleWsTokenOptions>): void;
  /** Moodle: turns web services (or the REST protocol) off or on; off, server.php answers a bare 403. */
  moodleWebServices(on: boolean): void;
  /** Moodle: deletes a web-service token; calls with it answer `invalidtoken`. */
  revokeMoodleWsToken(token: string): void;
  /** Moodle: the private messages sent through core_message_send_instant_messages, oldest first. */
  moodleMessages: SentMoodleMessage[];
  /** Moodle: turns the messaging system ("Enable messaging system") off or on. */
  moodleMessaging(on: boolean): void;
  /** Canvas: the conversations made through POST /api/v1/conversations, oldest first. */
  canvasConversations: SentConversation[];
  /** Canvas: registers an API developer key for the REST API's OAuth2 (redirectUri, if given, must prefix the one sent; scopes, if given: it enforces them). */
  canvasApiKey(o?: { redirectUri?: string; scopes?: string[]; allowIncludes?: boolean }): CanvasApiKey;
  /** Canvas: expires every REST access token issued so far (refresh tokens still work). */
  expireCanvasTokens(): void;
  /** Canvas: revokes every REST access and refresh token. */
  revokeCanvasTokens(): void;
  /** Canvas: shapes the REST throttling bucket (default capacity 700, cost 1, refill 10/s); resets every bucket. */
  canvasRateLimit(o: Partial<CanvasRateLimit>): void;
  /** Canvas: empties every REST token's bucket, with no refill until canvasRateLimit is called. */
  drainCanvasBuckets(): void;
  close(): Promise<void>;
}

export async function startEmulator(o: EmulatorOptions): Promise<Emulator> {
  const host = o.host ?? '127.0.0.1';
  const server = o.tls ? createHttpsServer({ key: o.tls.key, cert: o.tls.cert }) : createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, host, () => resolve());
  });
  const name = o.tls?.hostname ?? (host.includes(':') ? `[${host}]` : host);
  const port = (server.address() as AddressInfo).port;
  const url = `${o.tls ? 'https' : 'http'}://${name}:${port}`;
  const cloud = o.tls && o.cloudHosts ? { issuer: `https://${o.cloudHosts.issuer}:${port}`, sso: `https://${o.cloudHosts.sso}:${port}` } : {};
  const p = newPlatform({
    flavour: o.flavour,
    url,
    course: o.course ?? seedCourse({ flavour: o.flavour }),
    keys: await createPlatformKeys(o.flavour),
    privacy: { hideNames: o.privacy?.hideNames ?? false, hideEmails: o.privacy?.hideEmails ?? false },
    pageSize: o.pageSize,
    latencyMs: o.latencyMs,
    storageTarget: o.storageTarget,
    rootDeploymentAtRegistration: o.rootDeploymentAtRegistration,
    ...cloud,
  });
  server.on('request', createApp(p));

  return {
    flavour: o.flavour,
    url,
    issuer: p.issuer,
    endpoints: {
      auth: `${p.sso}${p.paths.auth}`,
      token: `${p.sso}${p.paths.token}`,
      jwks: `${p.sso}${p.paths.jwks}`,
      openidConfiguration: `${url}/.well-known/openid-configuration`,
      registration: `${url}${p.paths.registration}`,
    },
    get course() { return p.course; },
    set course(c: SeedCourse) { p.course = c; },
    copyCourse(c) {
      p.pastCourses.push(p.course);
      p.course = copyOfCourse(p.course, c);
      return p.course;
    },
    registerTool(t) {
      const { clientId, deploymentId } = registerTool(p, t);
      return { clientId, deploymentId };
    },
    showCourseFrom: (origin) => { p.courseHost = origin; },
    tools: p.tools,
    installByClientId(clientId) {
      const tool = p.tools.find((t) => t.clientId === clientId);
      if (!tool) throw new Error(`no tool with client id ${clientId}`);
      tool.deploymentId = `${p.tools.length + 100 + Math.floor(Math.random() * 1e6)}:${p.course.contextId}`;
      return tool.deploymentId;
    },
    launchUrl: (l) => launchUrl(p, l),
    dynamicRegistrationUrl: (toolRegisterUrl) => dynamicRegistrationUrl(p, toolRegisterUrl),
    signIdToken: (payload, opts) => signJwt(p.keys, payload, opts),
    idTokenClaims: (c) => idTokenClaims(p, c),
    throttle: ({ times, retryAfterSeconds, paths }) => { p.throttle = { remaining: times, retryAfterSeconds, paths }; },
    expireTokens: () => expireTokens(p),
    accessTokens: () => [...p.accessTokens.keys()],
    failScores: (userId, times) => { p.scoreFailures.set(userId, times); },
    courseTotal: (userId) => courseTotal(p, userId),
    requests: p.requests,
    deepLinks: p.deepLinks,
    moodleWsToken: (t) => createMoodleWsToken(p, t),
    revokeMoodleWsToken: (token) => revokeMoodleWsToken(p, token),
    changeMoodleWsToken: (token, o) => changeMoodleWsToken(p, token, o),
    moodleWebServices: (on) => setMoodleWebServices(p, on),
    moodleMessages: moodleMessagesOf(p),
    moodleMessaging: (on) => setMoodleMessaging(p, on),
    canvasConversations: canvasConversationsOf(p),
    canvasApiKey: (k) => canvasApiKey(p, k),
    expireCanvasTokens: () => expireCanvasTokens(p),
    revokeCanvasTokens: () => revokeCanvasTokens(p),
    canvasRateLimit: (l) => canvasRateLimit(p, l),
    drainCanvasBuckets: () => drainCanvasBuckets(p),
    close: () => new Promise<void>((resolve, reject) => {
      server.close((err) => (err ? reject(err) : resolve()));
      server.closeAllConnections();
    }),
  };
}
