/**
 * A stack as a learner climbs it: the badges of one group of a course ordered by level
 * (BadgeDefinition.group and level), which of them the learner holds, and the next one to earn,
 * the lowest level not held. Pure: a course's badges and the ids of those held.
 */
import type { BadgeDefinition } from './badge.js';

export interface StackLevel { badge: BadgeDefinition; held: boolean }

export interface Stack {
  group: string;
  levels: StackLevel[];
  /** The lowest level not held; none when every level is. */
  next?: BadgeDefinition;
}

/** The stacks (two levels or more) in which the learner holds at least one level, in the order their groups first appear. */
export function stacksHeld(badges: readonly BadgeDefinition[], held: ReadonlySet<string>): Stack[] {
  const groups = new Map<string, BadgeDefinition[]>();
  for (const b of badges) if (b.group) groups.set(b.group, [...(groups.get(b.group) ?? []), b]);
  const stacks: Stack[] = [];
  for (const [group, members] of groups) {
    if (members.length < 2) continue;
    // Levels first, by number; a badge given no level comes after them, by name.
    const ordered = [...members].sort((a, b) => (a.level ?? Infinity) - (b.level ?? Infinity) || a.name.localeCompare(b.name));
    const levels = ordered.map((badge) => ({ badge, held: held.has(badge.id) }));
    if (!levels.some((l) => l.held)) continue;
    stacks.push({ group, levels, next: levels.find((l) => !l.held)?.badge });
  }
  return stacks;
}
