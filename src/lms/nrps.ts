/**
 * Names and Role Provisioning Services 2.0 (digest §5): the course roster. Names and emails are
 * absent when the LMS's privacy settings hide them; Laurel works with user ids alone.
 */
import type { Member, MemberStatus } from '../rules/snapshot.js';
import { LmsError } from './errors.js';
import { MEDIA_TYPES, largestPage, withQuery, type Http } from './http.js';
import { compact, listOf, record, sisIdText, text } from './read.js';
import { SCOPES } from './scopes.js';

export interface MemberFilters {
  /** One role (full URI or short name) as the LMS's NRPS takes it. */
  role?: string;
  /** Page size; default the largest the LMS serves. */
  limit?: number;
}

const STATUSES: readonly MemberStatus[] = ['Active', 'Inactive', 'Deleted'];

export function listMembers(http: Http, url: string, f: MemberFilters = {}): Promise<Member[]> {
  const first = withQuery(url, { role: f.role, limit: f.limit ?? largestPage(url) });
  return http.getAll([SCOPES.memberships], first, MEDIA_TYPES.membershipContainer, (body, at) => listOf(record(body).members, 'members', at).map((raw) => member(raw, at)));
}

function member(raw: unknown, url: string): Member {
  const o = record(raw);
  const userId = text(o.user_id);
  if (!userId) throw new LmsError('bad_response', `The LMS listed a member without a user_id at ${url}.`, { url });
  const status = STATUSES.find((s) => s === o.status);
  return compact({
    userId,
    // NRPS 2.0: status is optional and defaults to Active.
    status: status ?? 'Active',
    roles: Array.isArray(o.roles) ? o.roles.filter((r): r is string => typeof r === 'string') : [],
    name: text(o.name),
    givenName: text(o.given_name),
    familyName: text(o.family_name),
    email: text(o.email),
    sourcedId: sisIdText(o.lis_person_sourcedid),
    source: 'nrps' as const,
  });
}
