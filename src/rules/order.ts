/**
 * Stacks: a badge may require another badge of the course (a `prerequisite` rule), so badges are
 * evaluated in dependency order, and a learner can climb a whole stack in one run.
 */
import type { BadgeDefinition, Rule } from './badge.js';

export class PrerequisiteCycleError extends Error {
  override readonly name = 'PrerequisiteCycleError';

  /** `badgeIds` from a badge back to itself, e.g. [level1, level2, level1]. */
  constructor(readonly badgeIds: string[], names: string[]) {
    super(`Badges require each other, so none can be earned: ${names.join(' → ')}`);
  }
}

/** The badges a rule tree requires, in the order they appear, each once. */
export function prerequisitesOf(rule: Rule): string[] {
  switch (rule.kind) {
    case 'prerequisite': return [rule.badgeId];
    case 'all':
    case 'any': return [...new Set(rule.rules.flatMap(prerequisitesOf))];
    default: return [];
  }
}

/**
 * The shortest chain of prerequisites from a badge back to itself ([a, b, a]; [a, a] when it
 * requires itself), or undefined. Prerequisites naming no known badge lead nowhere.
 */
export function prerequisiteCycle(badgeId: string, badgesById: ReadonlyMap<string, BadgeDefinition>): string[] | undefined {
  const cameFrom = new Map<string, string>();
  const pathTo = (id: string) => {
    const path = [id];
    while (path[0] !== badgeId) path.unshift(cameFrom.get(path[0])!);
    return path;
  };
  const queue = [badgeId];
  for (let i = 0; i < queue.length; i++) {
    const badge = badgesById.get(queue[i]);
    for (const next of badge ? prerequisitesOf(badge.rules) : []) {
      if (next === badgeId) return [...pathTo(queue[i]), badgeId];
      if (!badgesById.has(next) || cameFrom.has(next)) continue;
      cameFrom.set(next, queue[i]);
      queue.push(next);
    }
  }
  return undefined;
}

/**
 * Badges by depth in the prerequisite graph (badges requiring nothing first, then those requiring
 * only them…), then by id, so every badge comes after the badges it requires.
 * Throws PrerequisiteCycleError when there is no such order (validation reports it first).
 */
export function dependencyOrder(badges: readonly BadgeDefinition[]): BadgeDefinition[] {
  const byId = new Map(badges.map((b) => [b.id, b]));
  const byIdOrder = [...badges].sort((a, b) => compareIds(a.id, b.id));
  for (const badge of byIdOrder) {
    const cycle = prerequisiteCycle(badge.id, byId);
    if (cycle) throw new PrerequisiteCycleError(cycle, cycle.map((id) => byId.get(id)!.name));
  }
  const depths = new Map<string, number>();
  const depthOf = (badge: BadgeDefinition): number => {
    let depth = depths.get(badge.id);
    if (depth === undefined) {
      const required = prerequisitesOf(badge.rules).flatMap((id) => byId.get(id) ?? []);
      depth = Math.max(0, ...required.map((b) => depthOf(b) + 1));
      depths.set(badge.id, depth);
    }
    return depth;
  };
  return byIdOrder.sort((a, b) => depthOf(a) - depthOf(b) || compareIds(a.id, b.id));
}

/** By UTF-16 code units, not localeCompare: the order must not depend on the server's locale. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
