/**
 * A badge as an instructor sends it (JSON from the API, or the editor's form), checked for
 * shape and turned into a BadgeDefinition. The rules' meaning is checked by rules/validate.
 */
import type { BadgeDefinition, Renewal, Rule } from '../../rules/badge.js';
import { isHttpUrl } from '../../httpUrl.js';
import { inputProblem, type InputProblem, type InputProblemParams } from '../../inputProblem.js';
import { itemOfValue } from './rulePicker.js';

export class BadgeInputError extends Error {
  constructor(readonly problems: InputProblem[]) { super(problems.map((p) => p.message).join('; ')); }
}

/** What a field of the wrong type must be, by problem code. */
const WHAT = { text: 'a text', list: 'a list', textList: 'a list of texts', boolean: 'true or false', level: 'a whole number from 1 to 20' } as const;

const KINDS: Rule['kind'][] = ['all', 'any', 'minGrade', 'completed', 'prerequisite', 'average', 'dateWindow', 'approval'];
const str = (v: unknown) => (typeof v === 'string' ? v.trim() : undefined);

function ruleShape(v: unknown, path: string, problems: InputProblem[], depth = 0): Rule | undefined {
  const report = (code: string, message: string, params: InputProblemParams = {}) => problems.push(inputProblem(`badge.${code}`, message, { path, ...params }));
  if (depth > 8) { report('tooDeep', `${path}: rules nest deeper than 8 levels`); return undefined; }
  if (!v || typeof v !== 'object' || Array.isArray(v)) { report('ruleNotObject', `${path} must be an object with a "kind"`); return undefined; }
  const r = v as Record<string, unknown>;
  if (!KINDS.includes(r.kind as Rule['kind'])) { report('ruleKind', `${path}.kind must be one of ${KINDS.join(', ')}`, { kinds: KINDS.join(', ') }); return undefined; }
  const num = (k: string) => (r[k] === undefined || r[k] === '' ? undefined : typeof r[k] === 'number' ? r[k] as number : Number.NaN);
  // "Within the last N days" (a rule bounded in time), on a grade or a completion; rules/validate checks the number.
  const within = () => {
    const withinDays = num('withinDays');
    if (Number.isNaN(withinDays)) report('withinDaysNumber', `${path}.withinDays must be a number of days`);
    return withinDays === undefined ? {} : { withinDays };
  };
  switch (r.kind) {
    case 'all':
    case 'any': {
      if (!Array.isArray(r.rules)) { report('ruleList', `${path}.rules must be a list`); return undefined; }
      const rules = r.rules.map((c, i) => ruleShape(c, `${path}.rules[${i}]`, problems, depth + 1)).filter((c): c is Rule => c !== undefined);
      return { kind: r.kind, rules };
    }
    case 'minGrade': {
      const percent = num('percent'); const points = num('points');
      if (Number.isNaN(percent) || Number.isNaN(points)) report('gradeNumbers', `${path}: percent and points must be numbers`);
      return { kind: 'minGrade', lineItemId: str(r.lineItemId) ?? '', ...(percent !== undefined ? { percent } : {}), ...(points !== undefined ? { points } : {}), ...within() };
    }
    case 'completed': return { kind: 'completed', lineItemId: str(r.lineItemId) ?? '', ...within() };
    case 'prerequisite': return { kind: 'prerequisite', badgeId: str(r.badgeId) ?? '' };
    case 'average': {
      const percent = num('percent');
      if (percent === undefined || Number.isNaN(percent)) report('percentNumber', `${path}.percent must be a number`);
      const items = Array.isArray(r.items) ? r.items.map((it) => ({ lineItemId: str((it as Record<string, unknown>)?.lineItemId) ?? '', ...(typeof (it as Record<string, unknown>)?.weight === 'number' ? { weight: (it as { weight: number }).weight } : {}) })) : [];
      return { kind: 'average', items, percent: percent ?? Number.NaN };
    }
    case 'dateWindow': return { kind: 'dateWindow', ...(str(r.from) ? { from: str(r.from) } : {}), ...(str(r.until) ? { until: str(r.until) } : {}) };
    default: return { kind: 'approval' };
  }
}

/**
 * `renewal`: `{ windowDays, rules? }` (absent rules: the badge's own, met again), or null / absent
 * for a badge that is not renewed. Whether it fits the badge is rules/validate's to say.
 */
function renewalShape(v: unknown, problems: InputProblem[]): Renewal | undefined {
  if (v === undefined || v === null) return undefined;
  const report = (code: string, message: string) => problems.push(inputProblem(`badge.${code}`, message));
  if (typeof v !== 'object' || Array.isArray(v)) { report('renewal', 'renewal must be an object such as { "windowDays": 60 }, or null'); return undefined; }
  const r = v as Record<string, unknown>;
  if (typeof r.windowDays !== 'number') report('renewalWindowDays', 'renewal.windowDays must be a number of days, such as 60');
  const rules = r.rules === undefined || r.rules === null ? undefined : ruleShape(r.rules, 'renewal.rules', problems);
  return { windowDays: typeof r.windowDays === 'number' ? r.windowDays : Number.NaN, ...(rules ? { rules } : {}) };
}

/** From a JSON body (the API). `id` comes from the URL or is new, never from the body. */
export function badgeFromJson(body: unknown, id: string): BadgeDefinition {
  const problems: InputProblem[] = [];
  const report = (code: string, message: string, params?: InputProblemParams) => problems.push(inputProblem(`badge.${code}`, message, params));
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new BadgeInputError([inputProblem('badge.notObject', 'the body must be a JSON object describing the badge')]);
  const b = body as Record<string, unknown>;
  // A field of the wrong type is named, never silently dropped or turned into something else.
  const typed = (key: string, ok: (v: unknown) => boolean, what: keyof typeof WHAT) => {
    const ours = b[key] === undefined || b[key] === null || ok(b[key]);
    if (!ours) report(what, `${key} must be ${WHAT[what]}`, { field: key });
    return ours;
  };
  for (const key of ['description', 'criteriaNarrative', 'imageUrl', 'group', 'validFor']) typed(key, (v) => typeof v === 'string', 'text');
  typed('level', (v) => typeof v === 'number' || typeof v === 'string', 'level');
  typed('tags', (v) => Array.isArray(v) && v.every((t) => typeof t === 'string'), 'textList');
  typed('alignments', Array.isArray, 'list');
  for (const key of ['evidenceRequired', 'gradebookColumn']) typed(key, (v) => typeof v === 'boolean', 'boolean');
  const name = str(b.name);
  if (typed('name', (v) => typeof v === 'string', 'text')) {
    if (!name) report('nameRequired', 'name is required');
    else if (name.length > 120) report('nameTooLong', 'name must be at most 120 characters');
  }
  const issueMode = b.issueMode ?? 'automatic';
  if (issueMode !== 'automatic' && issueMode !== 'approval') report('issueMode', 'issueMode must be "automatic" or "approval"');
  const level = b.level === undefined || b.level === null || b.level === '' || typeof b.level === 'boolean' ? undefined : Number(b.level);
  if (level !== undefined && (!Number.isInteger(level) || level < 1 || level > 20)) report('level', 'level must be a whole number from 1 to 20', { field: 'level' });
  const validFor = str(b.validFor) || undefined;
  if (validFor && !/^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?$/.test(validFor)) report('validFor', 'validFor must be an ISO 8601 duration such as P1Y or P6M');
  const alignments = (Array.isArray(b.alignments) ? b.alignments : []).map((a, i) => {
    const x = (a ?? {}) as Record<string, unknown>;
    const al = { targetName: str(x.targetName) ?? '', targetUrl: str(x.targetUrl) ?? '', targetFramework: str(x.targetFramework) || undefined, targetCode: str(x.targetCode) || undefined };
    if (!al.targetName) report('alignmentName', `alignments[${i}]: give the name of the skill or standard the badge aligns to`, { index: i });
    if (isHttpUrl(al.targetUrl)) return al;
    if (al.targetName) report('alignmentUrl', `alignments[${i}]: the link to "${al.targetName}" must be an absolute http(s) URL`, { index: i, name: al.targetName });
    else report('alignmentUrlUnnamed', `alignments[${i}]: the link to "the skill" must be an absolute http(s) URL`, { index: i });
    return al;
  });
  if (alignments.length > 10) report('tooManyAlignments', 'at most 10 alignments');
  const rules = ruleShape(b.rules, 'rules', problems);
  const renewal = renewalShape(b.renewal, problems);
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
    ...(renewal ? { renewal } : {}),
    issueMode: issueMode as BadgeDefinition['issueMode'],
    evidenceRequired: b.evidenceRequired === true,
    ...(b.gradebookColumn === true ? { gradebookColumn: true } : {}),
    rules: rules!,
  };
}

export const FORM_ROWS = 5;
export const RENEWAL_ROWS = 3;
export const ALIGNMENT_ROWS = 3;

/** A number the form gives as text: undefined when left empty, NaN when it is not one (validation says so). */
function formNumber(value: unknown): number | undefined {
  const text = str(value);
  return text === undefined || text === '' ? undefined : Number(text);
}

/** The form's condition rows named `${prefix}kind_i`, `…item_i`, `…value_i`, `…unit_i`, `…within_i`, `…badge_i`. */
function formConditions(form: Record<string, unknown>, prefix: string, rows: number): Record<string, unknown>[] {
  const rules: Record<string, unknown>[] = [];
  for (let i = 0; i < rows; i++) {
    const field = (name: string) => form[`${prefix}${name}_${i}`];
    const kind = str(field('kind'));
    if (!kind) continue;
    const n = formNumber(field('value'));
    const withinDays = formNumber(field('within'));
    const within = withinDays === undefined ? {} : { withinDays };
    // The item picked, from the grades' or the completion's list alike.
    const item = typeof field('item') === 'string' ? itemOfValue(field('item') as string) : field('item');
    if (kind === 'minGrade') rules.push({ kind, lineItemId: item, [field('unit') === 'points' ? 'points' : 'percent']: n, ...within });
    else if (kind === 'completed') rules.push({ kind, lineItemId: item, ...within });
    else if (kind === 'prerequisite') rules.push({ kind, badgeId: field('badge') });
    else rules.push({ kind });
  }
  return rules;
}

/**
 * The form's renewal: `renewal` is '' (not renewed), 'same' (the conditions above, met again) or
 * 'own' (up to RENEWAL_ROWS conditions of its own, `r`-prefixed, joined by `renewalCombinator`),
 * opening `renewalWindowDays` days before expiry.
 */
function formRenewal(form: Record<string, unknown>): Record<string, unknown> | undefined {
  const how = str(form.renewal);
  if (how !== 'same' && how !== 'own') return undefined;
  const windowDays = formNumber(form.renewalWindowDays) ?? Number.NaN;
  if (how === 'same') return { windowDays };
  return { windowDays, rules: { kind: form.renewalCombinator === 'any' ? 'any' : 'all', rules: formConditions(form, 'r', RENEWAL_ROWS) } };
}

/**
 * From the editor's form: name, description, issue mode, up to FORM_ROWS conditions joined by
 * "all" or "any" (kind_i, item_i, value_i, unit_i, within_i, badge_i), the renewal, and up to
 * ALIGNMENT_ROWS alignments.
 */
export function badgeFromForm(form: Record<string, unknown>, id: string): BadgeDefinition {
  const rules = formConditions(form, '', FORM_ROWS);
  return badgeFromJson({
    name: form.name, description: form.description, criteriaNarrative: form.criteriaNarrative, issueMode: form.issueMode,
    group: form.group, level: form.level, validFor: form.validFor, renewal: formRenewal(form), evidenceRequired: form.evidenceRequired === 'on',
    gradebookColumn: form.gradebookColumn === 'on',
    tags: str(form.tags)?.split(',') ?? [],
    // Alignment rows left empty are not alignments.
    alignments: Array.from({ length: ALIGNMENT_ROWS }, (_, i) => ({
      targetName: form[`alignName_${i}`], targetUrl: form[`alignUrl_${i}`], targetFramework: form[`alignFramework_${i}`], targetCode: form[`alignCode_${i}`],
    })).filter((a) => [a.targetName, a.targetUrl, a.targetFramework, a.targetCode].some((v) => str(v))),
    rules: { kind: form.combinator === 'any' ? 'any' : 'all', rules },
  }, id);
}
