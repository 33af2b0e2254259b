/**
 * Baking (Open Badges 2.0 "Baking", OB 3.0 §"Badge baking"): the credential inside the image.
 * Independent readers: 1EdTech's openbadges-bakery for 2.0, pypng (which checks every CRC) and
 * Python's XML parser for the bytes themselves, and sharp for the image still being an image.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultBadgeImage, defaultBadgeSvg } from '../../src/credentials/badgeImage.js';
import { bakePng, unbakePng } from '../../src/credentials/baking/png.js';
import { bakeSvg, unbakeSvg } from '../../src/credentials/baking/svg.js';
import { bakeryExtract, pythonTools } from '../support/python.js';

let dir: string;
let plainPng: Buffer;
let plainSvg: string;
let n = 0;

/** Writes to a temporary file and returns its path. */
function file(content: Buffer | string, ext: string): string {
  const path = join(dir, `image-${++n}.${ext}`);
  writeFileSync(path, content);
  return path;
}

function python<T>(code: string, ...args: string[]): T {
  return JSON.parse(execFileSync(pythonTools().python, ['-c', code, ...args], { encoding: 'utf8', env: { ...process.env, PYTHONIOENCODING: 'utf-8' } })) as T;
}

interface PngChunk { type: string; keyword?: string; compressed?: number; method?: number; language?: string; translated?: string; text?: string }

/** pypng's view of a PNG: its chunks (CRCs checked by the reader) and its decoded size. */
function pypng(path: string): { chunks: PngChunk[]; width: number; height: number; rows: number } {
  return python(
    `
import json, sys, png
chunks = []
for kind, data in png.Reader(filename=sys.argv[1]).chunks():
    kind = kind.decode('latin1')
    entry = {'type': kind}
    if kind in ('iTXt', 'tEXt'):
        keyword, _, rest = data.partition(b'\\0')
        entry['keyword'] = keyword.decode('latin1')
        if kind == 'iTXt':
            entry['compressed'], entry['method'] = rest[0], rest[1]
            language, _, rest = rest[2:].partition(b'\\0')
            translated, _, text = rest.partition(b'\\0')
            entry.update(language=language.decode(), translated=translated.decode('utf-8'), text=text.decode('utf-8'))
        else:
            entry['text'] = rest.decode('latin1')
    chunks.append(entry)
width, height, rows, info = png.Reader(filename=sys.argv[1]).read()
print(json.dumps({'chunks': chunks, 'width': width, 'height': height, 'rows': sum(1 for _ in rows)}))
`,
    path,
  );
}

/** Python's own XML parser on an SVG: the openbadges elements, their verify attribute, their CDATA and text. */
function parsedSvg(path: string): { namespace: string; elements: { name: string; verify: string | null; cdata: string[] }[]; firstChild: string } {
  return python(
    `
import json, sys
from defusedxml.minidom import parse
doc = parse(sys.argv[1])
svg = doc.documentElement
elements = []
for name in ('openbadges:credential', 'openbadges:assertion'):
    for el in doc.getElementsByTagName(name):
        elements.append({'name': name, 'verify': el.getAttribute('verify') if el.hasAttribute('verify') else None,
                         'cdata': [c.data for c in el.childNodes if c.nodeType == c.CDATA_SECTION_NODE]})
first = next(c for c in svg.childNodes if c.nodeType == c.ELEMENT_NODE)
print(json.dumps({'namespace': svg.getAttribute('xmlns:openbadges'), 'elements': elements, 'firstChild': first.tagName}))
`,
    path,
  );
}

const assertion = {
  '@context': 'https://w3id.org/openbadges/v2',
  type: 'Assertion',
  id: 'https://badges.example.edu/ob2/assertions/8f0c',
  recipient: { type: 'email', hashed: true, salt: 'c0ffee', identity: 'sha256$4f1c…' },
  badge: 'https://badges.example.edu/ob2/badges/lab-safety-2',
  verification: { type: 'hosted' },
  issuedOn: '2026-11-23T10:00:00Z',
  evidence: [{ type: 'Evidence', name: 'Quiz — «Sécurité» 🧪', narrative: 'Scored 86 %' }],
};
const credential = {
  '@context': ['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'],
  id: 'https://badges.example.edu/credentials/8f0c',
  type: ['VerifiableCredential', 'OpenBadgeCredential'],
  name: 'Lab Safety — Level 2 ✓',
  credentialSubject: { type: ['AchievementSubject'], achievement: { name: 'Lab Safety', description: 'Arrays a[b[0]]> and CDATA ends ]]> inside & <tags>' } },
};
const jwt = 'eyJhbGciOiJSUzI1NiIsImtpZCI6Imh0dHBzOi8vZXhhbXBsZS5lZHUja2V5LTEifQ.eyJpc3MiOiJkaWQ6d2ViOmV4YW1wbGUuZWR1In0.c2lnbmF0dXJl';

beforeAll(async () => {
  pythonTools();
  dir = mkdtempSync(join(tmpdir(), 'laurel-baking-'));
  ({ png: plainPng, svg: plainSvg } = await defaultBadgeImage({ name: 'Lab Safety', level: 2 }));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('PNG baking', () => {
  it('OB 2.0: 1EdTech openbadges-bakery extracts exactly our payload from the `openbadges` iTXt chunk', () => {
    const text = JSON.stringify(assertion);
    const baked = bakePng(plainPng, 'openbadges', text);
    expect(bakeryExtract(file(baked, 'png'))).toBe(text);
    expect(unbakePng(baked, 'openbadges')).toBe(text);
  });

  it('OB 3.0: the bakery (2.0 only) finds nothing; pypng sees one uncompressed UTF-8 iTXt `openbadgecredential` chunk just before IEND, which our unbaker reads back', () => {
    const text = JSON.stringify(credential);
    const baked = bakePng(plainPng, 'openbadgecredential', text);
    const path = file(baked, 'png');

    expect(bakeryExtract(path)).toBeUndefined();
    const { chunks } = pypng(path);
    const ours = chunks.filter((c) => c.keyword === 'openbadgecredential');
    expect(ours).toEqual([{ type: 'iTXt', keyword: 'openbadgecredential', compressed: 0, method: 0, language: '', translated: '', text }]);
    expect(chunks.map((c) => c.type).slice(-2)).toEqual(['iTXt', 'IEND']);
    expect(unbakePng(baked, 'openbadgecredential')).toBe(text);
    expect(unbakePng(baked, 'openbadges')).toBeUndefined();
  });

  it('a compact JWS bakes as the chunk text, for VC-JWT credentials', () => {
    expect(unbakePng(bakePng(plainPng, 'openbadgecredential', jwt), 'openbadgecredential')).toBe(jwt);
  });

  it('the baked PNG is still the same image: pypng and sharp decode it, pixel for pixel', async () => {
    const baked = bakePng(plainPng, 'openbadgecredential', JSON.stringify(credential));
    expect(pypng(file(baked, 'png'))).toMatchObject({ width: 400, height: 400, rows: 400 });
    const [before, after] = await Promise.all([sharp(plainPng).raw().toBuffer(), sharp(baked).raw().toBuffer()]);
    expect(after.equals(before)).toBe(true);
    expect(await sharp(baked).metadata()).toMatchObject({ format: 'png', width: 400, height: 400 });
  });

  it('baking twice leaves one chunk, with the newer text, and keeps the other keyword', () => {
    const once = bakePng(plainPng, 'openbadges', 'first');
    const both = bakePng(once, 'openbadgecredential', 'credential');
    const twice = bakePng(both, 'openbadges', 'second');

    const { chunks } = pypng(file(twice, 'png'));
    expect(chunks.filter((c) => c.keyword === 'openbadges').map((c) => c.text)).toEqual(['second']);
    expect(chunks.filter((c) => c.keyword === 'openbadgecredential').map((c) => c.text)).toEqual(['credential']);
    expect(twice.length).toBe(both.length + 'second'.length - 'first'.length);
  });

  it('replaces a chunk baked by 1EdTech openbadges-bakery, so the image still carries exactly one', () => {
    const theirs = python<string>(
      `
import base64, io, json, sys
from openbadges_bakery import bake
with open(sys.argv[1], 'rb') as f:
    out = bake(f, 'baked by bakery')
print(json.dumps(base64.b64encode(out.read()).decode()))
`,
      file(plainPng, 'png'),
    );
    const rebaked = bakePng(Buffer.from(theirs, 'base64'), 'openbadges', 'baked by Laurel');
    const { chunks } = pypng(file(rebaked, 'png'));
    expect(chunks.filter((c) => c.keyword === 'openbadges').map((c) => c.text)).toEqual(['baked by Laurel']);
  });

  it('refuses what is not a PNG, or a damaged one, saying what is wrong', () => {
    expect(() => bakePng(Buffer.from(plainSvg), 'openbadges', '{}')).toThrow(/Not a PNG image: it does not start with the PNG signature/);
    expect(() => unbakePng(Buffer.from('GIF89a'), 'openbadges')).toThrow(/Not a PNG image/);
    const damaged = Buffer.from(plainPng);
    damaged[18] ^= 0xff; // IHDR's width: its CRC no longer matches
    expect(() => bakePng(damaged, 'openbadges', '{}')).toThrow('Corrupt PNG: chunk "IHDR" at byte 8 has a wrong CRC');
    expect(() => bakePng(plainPng.subarray(0, plainPng.length - 12), 'openbadges', '{}')).toThrow(/no IEND/);
  });
});

describe('SVG baking', () => {
  it('OB 2.0: the bakery extracts the assertion URL from verify=, and an XML parser finds our JSON in the CDATA', () => {
    const url = 'https://badges.example.edu/ob2/assertions/8f0c?x=1&y=2';
    const baked = bakeSvg(plainSvg, { version: 2, assertionUrl: url, assertion });
    const path = file(baked, 'svg');

    expect(bakeryExtract(path)).toBe(url);
    const parsed = parsedSvg(path);
    expect(parsed).toMatchObject({ namespace: 'http://openbadges.org', firstChild: 'openbadges:assertion' });
    expect(parsed.elements).toHaveLength(1);
    expect(parsed.elements[0].verify).toBe(url);
    expect(parsed.elements[0].cdata.map((c) => JSON.parse(c))).toEqual([assertion]);
    expect(unbakeSvg(baked)).toEqual({ version: 2, assertionUrl: url, assertion });
  });

  it('OB 3.0: the credential JSON in CDATA right after <svg>, in the v3p0 namespace, whole even when it contains "]]>"', () => {
    const baked = bakeSvg(plainSvg, { version: 3, credential });
    expect(baked).toMatch(/^<svg xmlns:openbadges="https:\/\/purl\.imsglobal\.org\/ob\/v3p0"[^>]*><openbadges:credential><!\[CDATA\[/);

    const parsed = parsedSvg(file(baked, 'svg'));
    expect(parsed).toMatchObject({ namespace: 'https://purl.imsglobal.org/ob/v3p0', firstChild: 'openbadges:credential' });
    expect(parsed.elements).toHaveLength(1);
    expect(parsed.elements[0].cdata).toHaveLength(1);
    expect(JSON.parse(parsed.elements[0].cdata[0])).toEqual(credential);
    expect(unbakeSvg(baked)).toEqual({ version: 3, credential });
  });

  it('OB 3.0 VC-JWT: an empty <openbadges:credential verify="<JWS>"/>', () => {
    const baked = bakeSvg(plainSvg, { version: 3, jwt });
    const parsed = parsedSvg(file(baked, 'svg'));
    expect(parsed.elements).toEqual([{ name: 'openbadges:credential', verify: jwt, cdata: [] }]);
    expect(unbakeSvg(baked)).toEqual({ version: 3, jwt });
  });

  it('baking again replaces the element, across versions too, and leaves one namespace declaration', () => {
    const v2 = bakeSvg(plainSvg, { version: 2, assertionUrl: assertion.id, assertion });
    const v3 = bakeSvg(bakeSvg(v2, { version: 3, jwt: 'a.b.c' }), { version: 3, credential });

    const parsed = parsedSvg(file(v3, 'svg'));
    expect(parsed.elements.map((e) => e.name)).toEqual(['openbadges:credential']);
    expect(parsed.namespace).toBe('https://purl.imsglobal.org/ob/v3p0');
    expect(v3.match(/xmlns:openbadges=/g)).toHaveLength(1);
    expect(unbakeSvg(v3)).toEqual({ version: 3, credential });
  });

  it('keeps an XML declaration, comments and the rest of the image, which still renders 400×400', async () => {
    const source = `<?xml version="1.0" encoding="UTF-8"?>\n<!-- made by hand -->\n${plainSvg}`;
    const baked = bakeSvg(source, { version: 3, credential });
    expect(baked.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<!-- made by hand -->\n<svg ')).toBe(true);
    expect(baked.replace(/ xmlns:openbadges="[^"]*"/, '').replace(/<openbadges:credential>.*?\]\]><\/openbadges:credential>/s, '')).toBe(source);
    expect(await sharp(Buffer.from(baked)).metadata()).toMatchObject({ width: 400, height: 400 });
    expect(unbakeSvg(plainSvg)).toBeUndefined();
  });

  it('refuses what is not an SVG', () => {
    expect(() => bakeSvg('<html><body/></html>', { version: 3, jwt })).toThrow(/Not an SVG image/);
  });
});

describe('default badge image', () => {
  it('is a deterministic 400×400 PNG of an SVG that escapes the name and shows the level', async () => {
    const name = 'Tom & Jerry\'s <Lab> "Safety" — introduction to careful work';
    const [a, b] = [await defaultBadgeImage({ name, level: 3 }), await defaultBadgeImage({ name, level: 3 })];
    expect(a.png.equals(b.png)).toBe(true);
    expect(a.svg).toBe(defaultBadgeSvg({ name, level: 3 }));
    expect(await sharp(a.png).metadata()).toMatchObject({ format: 'png', width: 400, height: 400 });

    const parsed = python<{ title: string; lines: string[] }>(
      `
import json, sys
from defusedxml.minidom import parse
doc = parse(sys.argv[1])
print(json.dumps({'title': doc.getElementsByTagName('title')[0].firstChild.data,
                  'lines': [t.firstChild.data for t in doc.getElementsByTagName('text')]}))
`,
      file(a.svg, 'svg'),
    );
    expect(parsed.title).toBe(name);
    expect(parsed.lines.length).toBeLessThanOrEqual(4);
    expect(parsed.lines.at(-1)).toBe('Level 3');
    expect(parsed.lines.slice(0, -1).join(' ')).toMatch(/^Tom & Jerry's <Lab> "Safety"/);
  });
});
