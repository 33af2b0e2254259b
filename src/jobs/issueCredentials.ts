/**
 * Signing a course's waiting credentials, after its awards are recorded: under a lease of its
 * own, so two instances do not sign the same awards at once (each credential is stored once
 * anyway, but the work would be wasted).
 */
import type { Logger } from 'pino';
import { takeLease, releaseLease } from '../store/lease.js';
import { issueWaitingCredentials } from '../awards/issueCredential.js';
import { publicBase } from '../publicBase.js';

const LEASE_MS = 60_000;

/** Returns how many it issued; 0 when another instance holds the course's signing lease. */
export async function issueCourseCredentials(courseKey: string, onProgress?: (done: number) => void, log?: Logger): Promise<number> {
  const name = `issue:${courseKey}`;
  if (!(await takeLease(name, LEASE_MS))) return 0;
  try {
    return await issueWaitingCredentials(publicBase(), courseKey, async (done) => {
      onProgress?.(done);
      await takeLease(name, LEASE_MS); // renewed after each page
    }, log);
  } finally {
    await releaseLease(name);
  }
}
