/**
 * A JSON API's error answer: a stable code, a sentence saying what is wrong, and, for invalid
 * input, the list of problems to fix.
 */
import type { Response } from 'express';

export function apiProblem(res: Response, status: number, error: string, detail: string, problems?: string[]): void {
  res.status(status).json({ error, detail, ...(problems ? { problems } : {}) });
}
