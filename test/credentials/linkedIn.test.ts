import { describe, expect, it } from 'vitest';
import { linkedInAddToProfile } from '../../src/credentials/linkedIn.js';

describe('LinkedIn "Add to profile"', () => {
  it('fills in the certification, issuer, dates and verification page, encoded', () => {
    const url = new URL(linkedInAddToProfile({
      name: 'Lab Safety & Ethics — Level 2', organizationName: 'Example University', issued: new Date('2026-11-23T10:00:00Z'),
      expires: new Date('2028-02-01T00:00:00Z'), certUrl: 'https://badges.example.edu/verify/abc', certId: 'abc',
    }));
    expect(url.origin + url.pathname).toBe('https://www.linkedin.com/profile/add');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      startTask: 'CERTIFICATION_NAME', name: 'Lab Safety & Ethics — Level 2', organizationName: 'Example University',
      issueYear: '2026', issueMonth: '11', expirationYear: '2028', expirationMonth: '2', certUrl: 'https://badges.example.edu/verify/abc', certId: 'abc',
    });
  });

  it('names the organization by its LinkedIn id when the administrator set one, so LinkedIn shows its logo', () => {
    const url = new URL(linkedInAddToProfile({ name: 'B', organizationName: 'Example University', organizationId: '12345678', issued: new Date('2026-01-31T23:00:00Z'), certUrl: 'https://x/verify/1', certId: '1' }));
    expect(url.searchParams.get('organizationId')).toBe('12345678');
    expect(url.searchParams.has('organizationName')).toBe(false);
  });

  it('leaves out the expiry of a badge that never expires', () => {
    const url = new URL(linkedInAddToProfile({ name: 'B', organizationName: 'O', issued: new Date('2026-01-31T23:00:00Z'), certUrl: 'https://x/verify/1', certId: '1' }));
    expect(url.searchParams.has('expirationYear')).toBe(false);
    expect(url.searchParams.get('issueMonth')).toBe('1');
  });
});
