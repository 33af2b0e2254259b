/**
 * A badge as an instructor sends it (JSON from the API, or the editor's form), checked for
 * shape and turned into a BadgeDefinition. The rules' meaning is checked by rules/validate.
 */
import type { BadgeDefinition, Rule } from '../rules/badge.js';
import { isHttpUrl } from '../httpUrl.js';

export class BadgeInputError extends Error {
  constructor(readonly problems: string[]) { super(problems.join('; ')); }
}

const KINDS: Rule['kind'][] = ['all', 'any', 'minGrade', 'completed', 'prerequisite', 'average', 'dateWindow', 'approval'];
const str = (v: unknown) => (typeof v === 'string' ? v.trim() : undefined);

function ruleShape(v: unknown, path: string, problems: string[], depth = 0): Rule | undefined {
  if (depth > 8) { problems.push(`${path}: rules nest deeper than 8 levels`); return undefined; }
  if (!v || typeof v !== 'object' || Array.isArray(v)) { problems.push(`${path} must be an object with a "kind"`); return undefined; }
  const r = v as Record<string, unknown>;
  if (!KINDS.includes(r.kind as Rule['kind'])) { problems.push(`${path}.kind must be one of ${KINDS.join(', ')}`); return undefined; }
  const num = (k: string) => (r[k] === undefined || r[k] === '' ? undefined : typeof r[k] === 'number' ? r[k] as number : Number.NaN);
  switch (r.kind) {
    case 'all':
    case 'any': {
      if (!Array.isArray(r.rules)) { problems.push(`${path}.rules must be a list`); return undefined; }
      const rules = r.rules.map((c, i) => ruleShape(c, `${path}.rules[${i}]`, problems, depth + 1)).filter((c): c is Rule => c !== undefined);
      return { kind: r.kind, rules };
    }
    case 'minGrade': {
      const percent = num('percent'); const points = num('points');
      if (Number.isNaN(percent) || Number.isNaN(points)) problems.push(`${path}: percent and points must be numbers`);
      return { kind: 'minGrade', lineItemId: str(r.lineItemId) ?? '', ...(percent !== undefined ? { percent } : {}), ...(points !== undefined ? { points } : {}) };
    }
    case 'completed': return { kind: 'completed', lineItemId: str(r.lineItemId) ?? '' };
    case 'prerequisite': return { kind: 'prerequisite', badgeId: str(r.badgeId) ?? '' };
    case 'average': {
      const percent = num('percent');
      if (percent === undefined || Number.isNaN(percent)) problems.push(`${path}.percent must be a number`);
      const items = Array.isArray(r.items) ? r.items.map((it) => ({ lineItemId: str((it as Record<string, unknown>)?.lineItemId) ?? '', ...(typeof (it as Record<string, unknown>)?.weight === 'number' ? { weight: (it as { weight: number }).weight } : {}) })) : [];
      return { kind: 'average', items, percent: percent ?? Number.NaN };
    }
    case 'dateWindow': return { kind: 'dateWindow', ...(str(r.from) ? { from: str(r.from) } : {}), ...(str(r.until) ? { until: str(r.until) } : {}) };
    default: return { kind: 'approval' };
  }
}

/** From a JSON body (the API). `id` comes from the URL or is new, never from the body. */
export function badgeFromJson(body: unknown, id: string): BadgeDefinition {
  const problems: string[] = [];
  if (!body || typeof body !== 'object') throw new BadgeInputError(['the body must be a JSON object describing the badge']);
  const b = body as Record<string, unknown>;
  const name = str(b.name);
  if (!name) problems.push('name is required');
  else if (name.length > 120) problems.push('name must be at most 120 characters');
  const issueMode = b.issueMode ?? 'automatic';
  if (issueMode !== 'automatic' && issueMode !== 'approval') problems.push('issueMode must be "automatic" or "approval"');
  const level = b.level === undefined || b.level === null || b.level === '' ? undefined : Number(b.level);
  if (level !== undefined && (!Number.isInteger(level) || level < 1 || level > 20)) problems.push('level must be a whole number from 1 to 20');
  const validFor = str(b.validFor) || undefined;
  if (validFor && !/^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?$/.test(validFor)) problems.push('validFor must be an ISO 8601 duration such as P1Y or P6M');
  const alignments = (Array.isArray(b.alignments) ? b.alignments : []).map((a, i) => {
    const x = (a ?? {}) as Record<string, unknown>;
    const al = { targetName: str(x.targetName) ?? '', targetUrl: str(x.targetUrl) ?? '', targetFramework: str(x.targetFramework) || undefined, targetCode: str(x.targetCode) || undefined };
    if (!al.targetName) problems.push(`alignments[${i}]: give the name of the skill or standard the badge aligns to`);
    if (!isHttpUrl(al.targetUrl)) problems.push(`alignments[${i}]: the link to "${al.targetName || 'the skill'}" must be an absolute http(s) URL`);
    return al;
  });
  if (alignments.length > 10) problems.push('at most 10 alignments');
  const rules = ruleShape(b.rules, 'rules', problems);
  if (problems.length) throw new BadgeInputError(problems);
  return {
    id,
    name: name!,
    description: str(b.description) ?? '',
    ...(str(b.criteriaNarrative) ? { criteriaNarrative: str(b.criteriaNarrative) } : {}),
    ...(str(b.imageUrl) ? { imageUrl: str(b.imageUrl) } : {}),
    tags: Array.isArray(b.tags) ? b.tags.map(String).map((t) => t.trim()).filter(Boolean).slice(0, 20) : [],
    alignments: alignments.map(({ targetFramework, targetCode, ...al }) => ({ ...al, ...(targetFramework ? { targetFramework } : {}), ...(targetCode ? { targetCode } : {}) })),
    ...(str(b.group) ? { group: str(b.group) } : {}),
    ...(level !== undefined ? { level } : {}),
    ...(validFor ? { validFor } : {}),
    issueMode: issueMode as BadgeDefinition['issueMode'],
    evidenceRequired: b.evidenceRequired === true,
    ...(b.gradebookColumn === true ? { gradebookColumn: true } : {}),
    rules: rules!,
  };
}

export const FORM_ROWS = 5;
export const ALIGNMENT_ROWS = 3;

/**
 * From the editor's form: name, description, issue mode, up to FORM_ROWS conditions joined by
 * "all" or "any" (kind_i, item_i, value_i, unit_i, badge_i), and up to ALIGNMENT_ROWS alignments.
 */
export function badgeFromForm(form: Record<string, unknown>, id: string): BadgeDefinition {
  const rules: Record<string, unknown>[] = [];
  for (let i = 0; i < FORM_ROWS; i++) {
    const kind = str(form[`kind_${i}`]);
    if (!kind) continue;
    const value = str(form[`value_${i}`]);
    const n = value === undefined || value === '' ? undefined : Number(value);
    if (kind === 'minGrade') rules.push({ kind, lineItemId: form[`item_${i}`], [form[`unit_${i}`] === 'points' ? 'points' : 'percent']: n });
    else if (kind === 'completed') rules.push({ kind, lineItemId: form[`item_${i}`] });
    else if (kind === 'prerequisite') rules.push({ kind, badgeId: form[`badge_${i}`] });
    else rules.push({ kind });
  }
  return badgeFromJson({
    name: form.name, description: form.description, criteriaNarrative: form.criteriaNarrative, issueMode: form.issueMode,
    group: form.group, level: form.level, validFor: form.validFor, evidenceRequired: form.evidenceRequired === 'on',
    gradebookColumn: form.gradebookColumn === 'on',
    tags: str(form.tags)?.split(',') ?? [],
    // Alignment rows left empty are not alignments.
    alignments: Array.from({ length: ALIGNMENT_ROWS }, (_, i) => ({
      targetName: form[`alignName_${i}`], targetUrl: form[`alignUrl_${i}`], targetFramework: form[`alignFramework_${i}`], targetCode: form[`alignCode_${i}`],
    })).filter((a) => [a.targetName, a.targetUrl, a.targetFramework, a.targetCode].some((v) => str(v))),
    rules: { kind: form.combinator === 'any' ? 'any' : 'all', rules },
  }, id);
}
