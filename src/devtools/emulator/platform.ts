/**
 * The state of one running emulator, shared by its endpoints.
 */
import type { SeedActivity, SeedCourse, SeedUser } from './course.js';
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
  loginHint: string;
  expiresAt: number;
}

export interface AccessToken { clientId: string; scopes: string[]; expiresAt: number }

export interface ThrottleState { remaining: number; retryAfterSeconds: number; paths?: RegExp }

export interface Platform {
  flavour: Flavour;
  /** The emulator's origin, also its issuer. */
  url: string;
  paths: FlavourPaths;
  course: SeedCourse;
  tools: RegisteredTool[];
  keys: PlatformKeys;
  privacy: { hideNames: boolean; hideEmails: boolean };
  /** Page size when the tool asks for none; undefined: the flavour's default. */
  pageSize?: number;
  requests: ServiceRequest[];
  deepLinks: DeepLinkReturn[];
  pendingLaunches: Map<string, PendingLaunch>;
  accessTokens: Map<string, AccessToken>;
  usedJtis: Set<string>;
  throttle: ThrottleState;
  registrationTokens: Set<string>;
  /** `data` sent in deep-linking requests → the client id it was sent to. */
  deepLinkData: Map<string, string>;
}

export function newPlatform(o: Pick<Platform, 'flavour' | 'url' | 'course' | 'keys' | 'privacy' | 'pageSize'>): Platform {
  return {
    ...o,
    paths: PATHS[o.flavour],
    tools: [],
    requests: [],
    deepLinks: [],
    pendingLaunches: new Map(),
    accessTokens: new Map(),
    usedJtis: new Set(),
    throttle: { remaining: 0, retryAfterSeconds: 0 },
    registrationTokens: new Set(),
    deepLinkData: new Map(),
  };
}

/** A user by LTI id (`sub`) or by the LMS's numeric id. */
export function findUser(p: Platform, id: unknown): SeedUser | undefined {
  return p.course.users.find((u) => u.id === id) ?? p.course.users.find((u) => u.lmsId === id);
}

export function servicesFor(p: Platform, tool: RegisteredTool) {
  return serviceUrls(p.flavour, p.url, p.course, tool.typeId);
}

/** Line items a tool may see through AGS: its links' items and those it created (digest §4). */
export function visibleLineItems(p: Platform, tool: RegisteredTool): SeedActivity[] {
  return p.course.activities.filter((a) => a.ags && (a.clientId === undefined || a.clientId === tool.clientId));
}
