/**
 * A course member as an award names them: what the LMS's roster says (its privacy settings may
 * hide the name, the email or both, and then Laurel goes by the user id alone).
 */
import type { Member } from '../rules/snapshot.js';
import type { Award } from '../store/award.js';
import { memberName } from '../rules/memberName.js';

/** What an award keeps of its learner, for their credential. */
export function recipientOf(m: Member | undefined): Award['recipient'] {
  if (!m) return undefined;
  const name = memberName(m);
  return { ...(m.email ? { email: m.email } : {}), ...(name ? { name } : {}) };
}
