/**
 * Where a learner's badge stands today (awards/badgeState.ts): revoked and waiting for approval
 * whatever its dates; otherwise expired from its end on, expiring soon within 30 days of it, and
 * valid before, or for good when it has no end.
 */
import { describe, expect, it } from 'vitest';
import { badgeState, EXPIRING_SOON_DAYS } from '../../src/awards/badgeState.js';

const now = new Date('2026-03-01T12:00:00Z');
const days = (n: number) => new Date(now.getTime() + n * 24 * 60 * 60 * 1000);

describe('where a badge stands', () => {
  it('says revoked, or waiting for approval, whatever its dates', () => {
    expect(badgeState('revoked', days(400), now)).toBe('revoked');
    expect(badgeState('revoked', days(-1), now)).toBe('revoked');
    expect(badgeState('pending', undefined, now)).toBe('pending');
  });

  it('is valid for good without an end, and until 30 days before its end', () => {
    expect(badgeState('awarded', undefined, now)).toBe('valid');
    expect(badgeState('awarded', days(EXPIRING_SOON_DAYS + 1), now)).toBe('valid');
  });

  it('is expiring soon within 30 days of its end, and expired from the end on', () => {
    expect(EXPIRING_SOON_DAYS).toBe(30);
    expect(badgeState('awarded', days(30), now)).toBe('expiring');
    expect(badgeState('awarded', days(0.01), now)).toBe('expiring');
    expect(badgeState('awarded', days(0), now)).toBe('expired');
    expect(badgeState('awarded', days(-200), now)).toBe('expired');
  });
});
