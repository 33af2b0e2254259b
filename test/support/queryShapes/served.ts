/**
 * Whether a declared index serves a query shape, as MongoDB would plan it: an index serves a
 * filter when the filter bounds its leading key, by a point (a value, `$in`, or `$exists:
 * false`, which the index holds as null; the following keys narrow further when the filter
 * matches them too) or by a range ($gt, $lt…: an index range scan, which is how the sweeper
 * finds what expired). A filter with none of an index's leading keys scans the collection, even
 * when it names the index's other keys. A query with no filter is served only when it reads a
 * few documents in an index's order (a sort on the leading key with a limit); otherwise it
 * scans, and may do so only from the allow-list (allowedScans.ts), with its reason. The `_id`
 * index always exists. A partial index is never counted: FerretDB refuses them, and a query
 * must not depend on one matching.
 */
import { describeShape, type Branch, type QueryShape } from './shape.js';

export interface DeclaredIndex {
  /** The keys in order, as declared: `[['courseKey', 1], ['at', -1]]`. */
  keys: [string, unknown][];
  partial?: boolean;
}

/** A shape and where in the code it was sent from (`src/store/award.ts:146`, `ltijs/dist/Utils/Auth.js:80`). */
export interface RecordedShape extends QueryShape { from: string }

/** A query that scans on purpose, allowed from one file only, and why that is fine. */
export interface AllowedScan {
  collection: string;
  operation: string;
  /** The branch exactly as recorded: `{}` for no filter. */
  filter: Branch;
  /**
   * The file that sends it, without the line: Laurel's file, or for a query ltijs sends, the
   * ltijs file or Laurel's file that called ltijs (`ltijs/dist/… via src/lti/…`).
   */
  from: string;
  reason: string;
}

export interface Unserved { shape: RecordedShape; branch: Branch; description: string }

/** Tests an index answers by looking up points: a value, several, or null (`$exists: false` finds the missing field as null). */
const POINT = new Set(['=', '$in', '$exists:false']);
const RANGE = new Set(['$gt', '$gte', '$lt', '$lte']);
const ID_INDEX: DeclaredIndex = { keys: [['_id', 1]] };

function bounds(tests: string | undefined): boolean {
  return !!tests && tests.split(',').some((t) => POINT.has(t) || RANGE.has(t));
}

/** True when `index` serves this branch of the shape's filter (see the header). */
export function serves(index: DeclaredIndex, shape: QueryShape, branch: Branch): boolean {
  if (index.partial) return false;
  const [leading] = index.keys;
  if (!leading) return false;
  if (bounds(branch[leading[0]])) return true;
  return Object.keys(branch).length === 0 && shape.limit && shape.sort[0]?.split(':')[0] === leading[0];
}

/** The files of a sender: `ltijs/dist/Utils/Keyset.js:12 via src/lti/keys.ts:8` → both paths. */
function filesOf(from: string): string[] {
  return from.split(' via ').map((site) => site.replace(/:\d+$/, ''));
}

function allows(entry: AllowedScan, shape: RecordedShape, branch: Branch): boolean {
  return entry.collection === shape.collection && entry.operation === shape.operation
    && filesOf(shape.from).includes(entry.from) && JSON.stringify(entry.filter) === JSON.stringify(branch);
}

/**
 * Every branch of every shape that neither a declared index of its collection (nor `_id`)
 * serves nor the allow-list allows. `indexes` maps a collection to its declared indexes.
 */
export function unservedShapes(shapes: RecordedShape[], indexes: ReadonlyMap<string, DeclaredIndex[]>, allowed: readonly AllowedScan[]): Unserved[] {
  const out: Unserved[] = [];
  for (const shape of shapes) {
    const declared = [ID_INDEX, ...(indexes.get(shape.collection) ?? [])];
    for (const branch of shape.filter) {
      if (declared.some((index) => serves(index, shape, branch))) continue;
      if (allowed.some((entry) => allows(entry, shape, branch))) continue;
      out.push({ shape, branch, description: `${describeShape(shape, branch)}   from ${shape.from}` });
    }
  }
  return out;
}

/** Allow-list entries no recorded shape used: a scan that went away, or an entry that names it wrongly. */
export function unusedAllowances(shapes: RecordedShape[], allowed: readonly AllowedScan[]): AllowedScan[] {
  return allowed.filter((entry) => !shapes.some((shape) => shape.filter.some((branch) => allows(entry, shape, branch))));
}
