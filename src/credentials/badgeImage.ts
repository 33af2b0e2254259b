/**
 * The badge image Laurel draws when an instructor uploads none: a laurel-green medallion with a
 * wreath, the badge name on up to three lines and "Level N" when the badge has a level.
 * Deterministic (same input, same bytes on a given machine), so it can be re-rendered on demand
 * instead of stored. Text is rendered with the system's fonts (DejaVu/Liberation in our images).
 */
import sharp from 'sharp';

export interface BadgeImageInput {
  name: string;
  level?: number;
}

const SIZE = 400;
const COLORS = { rim: '#2e6b3a', ring: '#e6f0df', discTop: '#5a9c5f', discBottom: '#2f6e3c', leaf: '#cfe3bf', gold: '#f2c14e', ink: '#1f3d24' };
const FONT = "'DejaVu Sans', 'Liberation Sans', Arial, Helvetica, sans-serif";
/** Width available to the name inside the wreath, in pixels. */
const TEXT_WIDTH = 200;

/** The SVG and its 400×400 PNG rendering. */
export async function defaultBadgeImage(input: BadgeImageInput): Promise<{ svg: string; png: Buffer }> {
  const svg = defaultBadgeSvg(input);
  const png = await sharp(Buffer.from(svg)).resize(SIZE, SIZE).png().toBuffer();
  return { svg, png };
}

export function defaultBadgeSvg({ name, level }: BadgeImageInput): string {
  const lines = wrapName(name);
  // Bold DejaVu Sans averages about 0.62 em a character.
  const longest = Math.max(...lines.map((l) => [...l].length));
  const fontSize = Math.round(Math.min(36, TEXT_WIDTH / (0.62 * Math.max(longest, 1))));
  const lineHeight = Math.round(fontSize * 1.2);
  const centerY = level === undefined ? 200 : 186;
  const firstBaseline = centerY - ((lines.length - 1) * lineHeight) / 2 + fontSize * 0.35;
  const text = lines
    .map((l, i) => `<text x="200" y="${round(firstBaseline + i * lineHeight)}">${escapeXml(l)}</text>`)
    .join('');
  const levelMark =
    level === undefined
      ? ''
      : `<rect x="140" y="${centerY + (lines.length * lineHeight) / 2 + 12}" width="120" height="34" rx="17" fill="${COLORS.gold}"/>` +
        `<text x="200" y="${centerY + (lines.length * lineHeight) / 2 + 35}" font-size="18" fill="${COLORS.ink}">${escapeXml(`Level ${level}`)}</text>`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${SIZE}" height="${SIZE}" viewBox="0 0 ${SIZE} ${SIZE}" role="img" aria-label="${escapeXml(level === undefined ? name : `${name}, level ${level}`)}">`,
    `<title>${escapeXml(name)}</title>`,
    `<defs><linearGradient id="disc" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${COLORS.discTop}"/><stop offset="1" stop-color="${COLORS.discBottom}"/></linearGradient></defs>`,
    `<circle cx="200" cy="200" r="192" fill="${COLORS.rim}"/>`,
    `<circle cx="200" cy="200" r="174" fill="none" stroke="${COLORS.ring}" stroke-width="4"/>`,
    `<circle cx="200" cy="200" r="164" fill="url(#disc)"/>`,
    wreath(),
    `<path d="${star(200, 78, 16, 7)}" fill="${COLORS.gold}"/>`,
    `<g font-family="${FONT}" font-weight="bold" text-anchor="middle" fill="#ffffff" font-size="${fontSize}">${text}${levelMark}</g>`,
    `</svg>`,
  ].join('');
}

/** Two laurel branches up the sides from the bottom: a stem with pairs of leaves, mirrored. */
function wreath(): string {
  const r = 138;
  const at = (deg: number, radius: number) => {
    const a = (deg * Math.PI) / 180;
    return [200 + radius * Math.cos(a), 200 + radius * Math.sin(a)];
  };
  // Angles in degrees clockwise from +x (screen y points down): 90 is the bottom, 180 the left.
  const [sx, sy] = at(100, r);
  const [ex, ey] = at(228, r);
  const stem = `M${round(sx)},${round(sy)} A${r},${r} 0 0 1 ${round(ex)},${round(ey)}`;
  const leaves: string[] = [];
  for (let i = 0; i < 8; i++) {
    const deg = 104 + i * 16;
    const size = 1 - i * 0.06;
    // Growth runs along the tangent (deg + 90); one leaf leans out of the wreath, one in.
    for (const [radius, angle] of [[r + 9, deg + 90 - 38], [r - 9, deg + 90 + 38]]) {
      const [x, y] = at(deg, radius);
      for (const [cx, rot] of [[x, angle], [400 - x, 180 - angle]]) {
        leaves.push(`<ellipse cx="${round(cx)}" cy="${round(y)}" rx="${round(14 * size)}" ry="${round(5.5 * size)}" transform="rotate(${round(rot)} ${round(cx)} ${round(y)})"/>`);
      }
    }
  }
  return (
    `<g fill="none" stroke="${COLORS.leaf}" stroke-width="2.5" stroke-linecap="round"><path d="${stem}"/><path d="${stem}" transform="matrix(-1 0 0 1 400 0)"/></g>` +
    `<g fill="${COLORS.leaf}">${leaves.join('')}</g>`
  );
}

function star(cx: number, cy: number, outer: number, inner: number): string {
  const points: string[] = [];
  for (let i = 0; i < 10; i++) {
    const radius = i % 2 === 0 ? outer : inner;
    const a = -Math.PI / 2 + (i * Math.PI) / 5;
    points.push(`${round(cx + radius * Math.cos(a))},${round(cy + radius * Math.sin(a))}`);
  }
  return `M${points.join('L')}Z`;
}

/** Greedy word wrap into at most three lines, widening the line before cutting with an ellipsis. */
function wrapName(name: string): string[] {
  const words = name.trim().split(/\s+/).filter(Boolean);
  if (!words.length) return [''];
  for (const width of [14, 18, 22]) {
    const lines = wrap(words, width);
    if (lines.length <= 3) return lines;
  }
  const lines = wrap(words, 22).slice(0, 3);
  lines[2] = `${[...lines[2]].slice(0, 21).join('')}…`;
  return lines;
}

function wrap(words: string[], width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    // A word longer than a line is cut into pieces.
    const pieces = [...word].length > width ? chunksOf([...word], width) : [word];
    for (const piece of pieces) {
      if (!line) line = piece;
      else if ([...line].length + 1 + [...piece].length <= width) line += ` ${piece}`;
      else {
        lines.push(line);
        line = piece;
      }
    }
  }
  lines.push(line);
  return lines;
}

function chunksOf(chars: string[], size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += size) out.push(chars.slice(i, i + size).join(''));
  return out;
}

function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
