/**
 * What the admin page shows of the platform's LMS API connection (issue 8): the connection as
 * stored, never its secret or token (only that one is set), the setup steps' values (the Redirect
 * URI, the scopes, the Moodle functions), and the forms' values: what was typed when it had
 * problems, else the current connection's, else the platform's issuer.
 */
import type { LtijsToken } from 'ltijs';
import { publicBase } from '../../publicBase.js';
import { CANVAS_CONVERSATIONS_SCOPE, CANVAS_EDIT_SCOPE, CANVAS_ITEMS_SCOPE, CANVAS_READ_SCOPES } from '../../lms/canvasRest/canvasOAuth.js';
import { canvasRedirectUri } from '../../lms/canvasRest/canvasRedirect.js';
import { MOODLE_WS_FUNCTIONS } from '../../lms/moodleWs/moodleWsApi.js';
import type { LmsApiSource } from '../../rules/snapshot.js';
import { lmsConnectionOf, type LmsCheckRecord, type LmsFailureRecord } from '../../store/lmsConnection.js';
import { MOODLE_ROLE_CAPABILITIES } from '../../lms/moodleWs/moodleCapabilities.js';

export interface LmsSection {
  connection?: {
    kind: LmsApiSource; baseUrl: string; apiClientId?: string; enforcesScopes: boolean; updatedAt: Date; updatedBy: string;
    /** Moodle: what the last check of the token found. */
    check?: LmsCheckRecord;
    /** The last failed reading of a course (what, when, which course). */
    lastFailure?: LmsFailureRecord;
  };
  redirectUri: string;
  /** The read scopes Laurel always asks of a key that enforces scopes, and the edit one it asks only from a course with a "Badge:" column. */
  scopes: readonly string[];
  editScope: string;
  /** The optional module items scope, for a key that does not allow include parameters. */
  itemsScope: string;
  /** The optional conversations scope, for Laurel's messages through Canvas. */
  conversationsScope: string;
  functions: readonly string[];
  /** The capabilities of the Moodle role for Laurel's token. */
  capabilities: readonly string[];
  /** Which forms to show: the platform's own LMS when the launch says which, else both. */
  forms: { canvas: boolean; moodle: boolean };
  canvas: { baseUrl: string; apiClientId: string; enforcesScopes: boolean };
  moodle: { baseUrl: string; courseId: string };
}

/** What was typed in a form that had problems (never a secret: those are typed again). */
export interface LmsTyped {
  canvas?: { baseUrl: string; apiClientId: string; enforcesScopes: boolean };
  moodle?: { baseUrl: string; courseId: string };
}

/** Canvas cloud's issuers are shared by every institution: they are not an institution's Canvas address. */
const CANVAS_CLOUD = /^canvas(\.beta|\.test)?\.instructure\.com$/;

export async function lmsSection(token: LtijsToken, typed: LmsTyped = {}): Promise<LmsSection> {
  const stored = await lmsConnectionOf(token.iss, token.clientId);
  const family = token.platformInfo?.product_family_code;
  const canvasDefault = URL.canParse(token.iss) && CANVAS_CLOUD.test(new URL(token.iss).host) ? '' : token.iss;
  const canvas = stored?.kind === 'canvas-rest' ? { baseUrl: stored.baseUrl, apiClientId: stored.apiClientId ?? '', enforcesScopes: Boolean(stored.enforcesScopes) } : undefined;
  return {
    connection: stored ? {
      kind: stored.kind, baseUrl: stored.baseUrl, apiClientId: stored.apiClientId, enforcesScopes: Boolean(stored.enforcesScopes),
      updatedAt: stored.updatedAt, updatedBy: stored.updatedBy, check: stored.check, lastFailure: stored.lastFailure,
    } : undefined,
    redirectUri: canvasRedirectUri(publicBase()),
    scopes: CANVAS_READ_SCOPES,
    editScope: CANVAS_EDIT_SCOPE,
    itemsScope: CANVAS_ITEMS_SCOPE,
    conversationsScope: CANVAS_CONVERSATIONS_SCOPE,
    functions: MOODLE_WS_FUNCTIONS,
    capabilities: MOODLE_ROLE_CAPABILITIES,
    forms: { canvas: family !== 'moodle', moodle: family !== 'canvas' },
    canvas: typed.canvas ?? canvas ?? { baseUrl: canvasDefault, apiClientId: '', enforcesScopes: false },
    moodle: typed.moodle ?? { baseUrl: stored?.kind === 'moodle-ws' ? stored.baseUrl : token.iss, courseId: '' },
  };
}
