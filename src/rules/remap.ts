/**
 * A badge's rules carried into a copy of its course (next term). The copy's grade columns and
 * activities have new ids, so each item a rule names is found again by its label among items of
 * the same kind (an AGS column for an AGS column, a Canvas module for a Canvas module), and only
 * where exactly one matches; prerequisites point at the copies of their badges. What cannot be
 * matched stays as it was and is reported, for the instructor to pick in the editor. Pure.
 */
import type { Rule } from './badge.js';
import type { NamedItem } from './criteria.js';

export type Unmatched =
  /** The earlier course's item is not known by any name (deleted, or that course could not be read). */
  | { path: string; kind: 'unknownItem'; itemId: string }
  /** No item of the new course has its name. */
  | { path: string; kind: 'notFound'; itemId: string; label: string }
  /** Several items of the new course have its name. */
  | { path: string; kind: 'ambiguous'; itemId: string; label: string; count: number }
  /** A prerequisite badge that was not brought along. */
  | { path: string; kind: 'unknownBadge'; badgeId: string };

export interface RemapContext {
  /** Earlier badge id → its copy's id. */
  badgeIds: ReadonlyMap<string, string>;
  /** What the earlier course's rules could name, with their labels. */
  sourceItems: readonly NamedItem[];
  /** What the new course's rules can name. */
  targetItems: readonly NamedItem[];
}

/** "ags" for an AGS column (its id is a URL); "canvas:module", "moodle:cm", … for an LMS API's item. */
export function itemKind(id: string): string {
  return /^(canvas|moodle):/.test(id) ? id.slice(0, id.lastIndexOf(':')) : 'ags';
}

const sameName = (a: string, b: string) => a.trim().toLocaleLowerCase() === b.trim().toLocaleLowerCase();

export function remapRules(rule: Rule, c: RemapContext): { rules: Rule; unmatched: Unmatched[] } {
  const unmatched: Unmatched[] = [];
  const targetIds = new Set(c.targetItems.map((i) => i.id));
  const labels = new Map(c.sourceItems.map((i) => [i.id, i.label]));

  const item = (path: string, id: string): string => {
    if (targetIds.has(id)) return id;
    const label = labels.get(id);
    if (label === undefined) {
      unmatched.push({ path, kind: 'unknownItem', itemId: id });
      return id;
    }
    // A graded Moodle activity is both a grade item and an activity under one id: count it once.
    const matches = [...new Set(c.targetItems.filter((t) => itemKind(t.id) === itemKind(id) && sameName(t.label, label)).map((t) => t.id))];
    if (matches.length === 1) return matches[0]!;
    unmatched.push(matches.length === 0 ? { path, kind: 'notFound', itemId: id, label } : { path, kind: 'ambiguous', itemId: id, label, count: matches.length });
    return id;
  };

  const walk = (r: Rule, path: string): Rule => {
    switch (r.kind) {
      case 'all':
      case 'any':
        return { kind: r.kind, rules: r.rules.map((sub, i) => walk(sub, `${path}.rules[${i}]`)) };
      case 'minGrade':
      case 'completed':
        return { ...r, lineItemId: item(path, r.lineItemId) };
      case 'average':
        return { ...r, items: r.items.map((it, i) => ({ ...it, lineItemId: item(`${path}.items[${i}]`, it.lineItemId) })) };
      case 'prerequisite': {
        const copy = c.badgeIds.get(r.badgeId);
        if (!copy) unmatched.push({ path, kind: 'unknownBadge', badgeId: r.badgeId });
        return { ...r, badgeId: copy ?? r.badgeId };
      }
      default:
        return r;
    }
  };
  return { rules: walk(rule, 'rules'), unmatched };
}
