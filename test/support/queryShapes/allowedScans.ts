/**
 * Queries that read a whole collection on purpose. Each is allowed from one file, with why a
 * scan is right there: it runs rarely (an operator's command, a sweep once a minute), or it
 * reads every document anyway (an administrator's listing of a small collection). A hot path
 * (a launch, a public page, a learner's page) never belongs here: give it a key or an index.
 */
import type { AllowedScan } from './served.js';

export const allowedScans: readonly AllowedScan[] = [
];
