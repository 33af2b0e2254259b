/**
 * SVG baking (Open Badges "Baking" for 2.0 and 3.0): one `openbadges:` element right after the
 * opening <svg> tag.
 * - 3.0: xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0", <openbadges:credential> holding
 *   the credential JSON in CDATA, or, for VC-JWT, empty with verify="<Compact JWS>".
 * - 2.0: xmlns:openbadges="http://openbadges.org", <openbadges:assertion verify="<assertion URL>">
 *   holding the assertion JSON in CDATA.
 * String-level on purpose: the rest of the image is kept byte for byte.
 */

export type SvgBakePayload =
  | { version: 3; credential: object }
  | { version: 3; jwt: string }
  | { version: 2; assertionUrl: string; assertion: object };

/** What an SVG carries; a 2.0 image baked by others may hold only the URL. */
export type SvgBaked = SvgBakePayload | { version: 2; assertionUrl: string; assertion?: undefined };

const NAMESPACE = { 2: 'http://openbadges.org', 3: 'https://purl.imsglobal.org/ob/v3p0' } as const;
const ELEMENTS = ['openbadges:credential', 'openbadges:assertion'];

/** Returns `svg` carrying `payload`; any earlier openbadges element (2.0 or 3.0) is replaced. */
export function bakeSvg(svg: string, payload: SvgBakePayload): string {
  const clean = removeBakedElements(svg);
  const root = findRootTag(clean);
  const attrs = clean
    .slice(root.start + 4, root.end - 1)
    .replace(/\s+xmlns:openbadges\s*=\s*("[^"]*"|'[^']*')/g, '');
  const tag = `<svg xmlns:openbadges="${NAMESPACE[payload.version]}"${attrs}>`;
  return clean.slice(0, root.start) + tag + element(payload) + clean.slice(root.end);
}

/** What `svg` carries, or undefined when it carries no openbadges element. */
export function unbakeSvg(svg: string): SvgBaked | undefined {
  const found = findBakedElement(svg);
  if (!found) return undefined;
  const { name, attrs, content } = found;
  const verify = attrs.verify;
  if (name === 'openbadges:credential') {
    if (content.trim()) return { version: 3, credential: parseJson(content, name) };
    if (verify) return { version: 3, jwt: verify };
    throw new Error('The SVG\'s <openbadges:credential> is empty and has no verify attribute');
  }
  if (!verify) throw new Error('The SVG\'s <openbadges:assertion> has no verify attribute (the assertion URL)');
  return content.trim()
    ? { version: 2, assertionUrl: verify, assertion: parseJson(content, name) }
    : { version: 2, assertionUrl: verify };
}

function element(payload: SvgBakePayload): string {
  if (payload.version === 2) {
    return `<openbadges:assertion verify="${escapeAttr(payload.assertionUrl)}">${cdata(payload.assertion)}</openbadges:assertion>`;
  }
  if ('jwt' in payload) return `<openbadges:credential verify="${escapeAttr(payload.jwt)}"/>`;
  return `<openbadges:credential>${cdata(payload.credential)}</openbadges:credential>`;
}

/**
 * JSON in one CDATA section. `]]>` can only occur inside a JSON string (`>` is never JSON
 * syntax), so writing its `>` as \u003e keeps the same JSON and a single section, which every
 * unbaker (1EdTech's bakery reads only the last section) gets whole. U+FFFE/U+FFFF are not XML
 * characters; JSON.stringify already escapes control characters and lone surrogates.
 */
function cdata(value: object): string {
  const json = JSON.stringify(value)
    .replace(/]]>/g, ']]\\u003e')
    .replace(/[\ufffe\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
  return `<![CDATA[${json}]]>`;
}

function escapeAttr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
}

function parseJson(text: string, where: string): object {
  try {
    return JSON.parse(text) as object;
  } catch (e) {
    throw new Error(`The SVG's <${where}> does not hold valid JSON: ${(e as Error).message}`);
  }
}

/** The root <svg ...> start tag, after any XML declaration, comments and doctype. */
function findRootTag(svg: string): { start: number; end: number } {
  let at = 0;
  for (;;) {
    at = skipSpace(svg, at);
    if (svg.startsWith('<?', at)) at = endOf(svg, '?>', at);
    else if (svg.startsWith('<!--', at)) at = endOf(svg, '-->', at);
    else if (svg.startsWith('<!', at)) at = endOfDoctype(svg, at);
    else break;
  }
  if (!/^<svg[\s>/]/.test(svg.slice(at, at + 5))) {
    throw new Error('Not an SVG image: the document does not start with an <svg> element');
  }
  const end = endOfTag(svg, at);
  if (svg[end - 2] === '/') throw new Error('The SVG image is empty (<svg/>): there is nothing to bake into');
  return { start: at, end };
}

function removeBakedElements(svg: string): string {
  let out = svg;
  for (let found = findBakedElement(out); found; found = findBakedElement(out)) {
    out = out.slice(0, found.start) + out.slice(found.end);
  }
  return out;
}

interface BakedElement {
  name: string;
  start: number;
  end: number;
  attrs: Record<string, string>;
  content: string;
}

/** The first openbadges element: its extent, attributes, and text (CDATA sections joined, entities decoded). */
function findBakedElement(svg: string): BakedElement | undefined {
  const match = new RegExp(`<(${ELEMENTS.join('|')})(?=[\\s/>])`).exec(svg);
  if (!match) return undefined;
  const name = match[1];
  const start = match.index;
  const tagEnd = endOfTag(svg, start);
  const attrs = parseAttrs(svg.slice(start + name.length + 1, tagEnd - 1));
  if (svg[tagEnd - 2] === '/') return { name, start, end: tagEnd, attrs, content: '' };
  let content = '';
  let at = tagEnd;
  for (;;) {
    if (at >= svg.length) throw new Error(`The SVG's <${name}> is never closed`);
    if (svg.startsWith('<![CDATA[', at)) {
      const close = svg.indexOf(']]>', at);
      if (close < 0) throw new Error(`The SVG's <${name}> has an unterminated CDATA section`);
      content += svg.slice(at + 9, close);
      at = close + 3;
    } else if (svg.startsWith(`</${name}`, at)) {
      return { name, start, end: endOf(svg, '>', at), attrs, content };
    } else if (svg[at] === '<') {
      throw new Error(`The SVG's <${name}> holds markup; expected only text or CDATA`);
    } else {
      const next = svg.indexOf('<', at);
      const stop = next < 0 ? svg.length : next;
      content += decodeEntities(svg.slice(at, stop));
      at = stop;
    }
  }
}

function parseAttrs(text: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  for (const m of text.matchAll(/([^\s=/]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
    attrs[m[1]] = decodeEntities(m[2] ?? m[3]);
  }
  return attrs;
}

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|amp|lt|gt|quot|apos);/gi, (_, e: string) => {
    const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    if (e[0] !== '#') return named[e.toLowerCase()];
    return String.fromCodePoint(e[1].toLowerCase() === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
  });
}

function skipSpace(s: string, at: number): number {
  while (at < s.length && /\s/.test(s[at])) at++;
  return at;
}

function endOf(s: string, token: string, from: number): number {
  const i = s.indexOf(token, from);
  if (i < 0) throw new Error(`Malformed SVG: "${token}" expected after byte ${from}`);
  return i + token.length;
}

/** End (exclusive) of the tag starting at `from`, stepping over quoted attribute values. */
function endOfTag(s: string, from: number): number {
  let quote = '';
  for (let i = from + 1; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '>') return i + 1;
  }
  throw new Error(`Malformed SVG: the tag at ${from} is never closed`);
}

/** <!DOCTYPE ...> may hold an internal subset in [...]. */
function endOfDoctype(s: string, from: number): number {
  let depth = 0;
  for (let i = from + 2; i < s.length; i++) {
    if (s[i] === '[') depth++;
    else if (s[i] === ']') depth--;
    else if (s[i] === '>' && depth <= 0) return i + 1;
  }
  throw new Error('Malformed SVG: the doctype is never closed');
}
