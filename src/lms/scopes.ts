/**
 * The LTI Advantage service scopes the LMS client uses (digest §3), and what an administrator
 * does when the LMS did not grant one.
 */
export const SCOPES = {
  lineItem: 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem',
  lineItemReadonly: 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly',
  resultReadonly: 'https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly',
  score: 'https://purl.imsglobal.org/spec/lti-ags/scope/score',
  memberships: 'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly',
} as const;

const PURPOSE: Record<string, string> = {
  [SCOPES.lineItem]: "list and manage the course's grade columns",
  [SCOPES.lineItemReadonly]: "list the course's grade columns",
  [SCOPES.resultReadonly]: 'read grades',
  [SCOPES.score]: 'send scores to the grade book',
  [SCOPES.memberships]: 'read the course roster',
};

/** What Laurel cannot do without `scope`. */
export function purposeOf(scope: string): string {
  return PURPOSE[scope] ?? 'use this service';
}

/** How an administrator makes each LMS grant these scopes (digest §8, §9). */
export function howToGrant(scopes: readonly string[]): string {
  const settings = [...new Set(scopes.map((s) => (s === SCOPES.memberships ? 'IMS LTI Names and Role Provisioning' : 'IMS LTI Assignment and Grade Services')))];
  return `Canvas: an administrator enables the scope${scopes.length > 1 ? 's' : ''} on Laurel's developer key (Admin › Developer Keys). ` +
    `Moodle: an administrator, in the tool's settings (Site administration › Plugins › Activity modules › External tool › Manage tools), sets ${settings.map((x) => `"${x}"`).join(' and ')} to use the service.`;
}
