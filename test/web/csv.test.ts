import { describe, expect, it } from 'vitest';
import { csv, csvCell } from '../../src/web/shared/csv.js';

describe('CSV export', () => {
  it('quotes what needs quoting, as RFC 4180 says', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a, b')).toBe('"a, b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(new Date('2026-11-23T10:00:00Z'))).toBe('2026-11-23T10:00:00.000Z');
  });

  it("keeps formulas as text: a spreadsheet must not run a learner's or a badge's name", () => {
    expect(csvCell('=HYPERLINK("http://evil.example","click")')).toBe(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csv([['a', 'b'], ['=1', 2]])).toBe("a,b\r\n'=1,2\r\n");
  });
});
