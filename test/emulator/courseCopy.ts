/**
 * Next term: a copy of the course, as a Canvas course copy or a Moodle backup and restore
 * leaves it. A new course and context id; the tool's links and the line items tools created
 * (Laurel's "Badge: …" columns) come along with new ids and their old scores; the LMS's own
 * grades do not. The people stay, as a restore with user data keeps them. The copy records
 * where it came from for `$Context.id.history` (customVariables.ts): always on Canvas; on
 * Moodle only for a restore into a new course, not for an import into an existing one.
 */
import { hash, uuid, type SeedActivity, type SeedCourse } from './course.js';

export interface CourseCopyOptions {
  /** Moodle: restore into a new course (history kept) or import into an existing one (none). Default newCourse. */
  into?: 'newCourse' | 'existingCourse';
}

export function copyOfCourse(from: SeedCourse, o: CourseCopyOptions = {}): SeedCourse {
  const moodle = from.flavour === 'moodle';
  const id = String(Number(from.id) + 1);
  const contextId = moodle ? id : hash(`context:${id}:copy-of:${from.contextId}`, 40);
  const maxId = (ids: string[]) => Math.max(0, ...ids.map(Number).filter(Number.isFinite));
  let nextItem = maxId(from.activities.map((a) => a.id)) + 100;
  let nextLink = moodle ? maxId(from.activities.map((a) => a.resourceLinkId ?? '')) + 100 : 0;
  const newItemId = new Map<string, string>();
  const activities = from.activities.map((a): SeedActivity => {
    const copy: SeedActivity = { ...a, id: String(nextItem++) };
    if (a.resourceLinkId !== undefined) copy.resourceLinkId = moodle ? String(nextLink++) : uuid(`link:${id}:${a.resourceLinkId}`);
    newItemId.set(a.id, copy.id);
    return copy;
  });
  const created = new Set(from.activities.filter((a) => a.clientId !== undefined).map((a) => a.id));
  const results = from.results.filter((r) => created.has(r.lineItemId)).map((r) => ({ ...r, lineItemId: newItemId.get(r.lineItemId)! }));
  let nextModuleItem = maxId(from.modules.flatMap((m) => m.items.map((i) => i.id))) + 100;
  const modules = from.modules.map((m) => ({
    ...m,
    items: m.items.map((i) => ({ ...i, id: String(nextModuleItem++), ...(i.activityId ? { activityId: newItemId.get(i.activityId) } : {}) })),
  }));
  const keepsHistory = !moodle || (o.into ?? 'newCourse') === 'newCourse';
  return {
    flavour: from.flavour, id, contextId, title: from.title, label: from.label,
    users: from.users.map((u) => ({ ...u })),
    activities, results, modules, completions: [],
    ...(keepsHistory ? { contextHistory: [from.contextId, ...(from.contextHistory ?? [])] } : {}),
  };
}
