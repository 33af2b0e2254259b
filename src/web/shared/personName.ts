import type { LtijsToken } from 'ltijs';

/** The person of a launch as the LMS names them, or their user id when it sends no name. */
export function personName(token: LtijsToken): string {
  const { name, given_name, family_name } = token.userInfo ?? {};
  return name || [given_name, family_name].filter(Boolean).join(' ') || `user ${token.user}`;
}
