/**
 * Registered tools: what an admin pasted (or dynamic registration sent), with the ids the
 * platform assigned and the service scopes it granted.
 */
import { createRemoteJWKSet } from 'jose';
import { newToolIds } from './flavours.js';
import type { Platform } from './platform.js';
import { SUPPORTED_SCOPES } from './scopes.js';

export interface ToolRegistration {
  name?: string;
  initiateLoginUri: string;
  redirectUris: string[];
  jwksUri: string;
  /** Where resource-link launches go. */
  targetLinkUri: string;
  /** Where deep-linking launches go; default targetLinkUri. */
  deepLinkingUri?: string;
  /** Service scopes to grant; default all the platform supports. Unsupported ones are dropped. */
  scopes?: string[];
  customParameters?: Record<string, string>;
}

export interface RegisteredTool extends ToolRegistration {
  name: string;
  clientId: string;
  deploymentId: string;
  /** Moodle's tool type id (in service URLs); a running number on Canvas. */
  typeId: string;
  scopes: string[];
}

export function registerTool(p: Platform, t: ToolRegistration): RegisteredTool {
  const ids = newToolIds(p.flavour, p.course, p.tools.length + 1);
  const scopes = (t.scopes ?? SUPPORTED_SCOPES).filter((s) => SUPPORTED_SCOPES.includes(s));
  const tool: RegisteredTool = { ...t, name: t.name ?? 'Tool', ...ids, scopes };
  p.tools.push(tool);
  return tool;
}

export function findTool(p: Platform, clientId: unknown): RegisteredTool | undefined {
  return p.tools.find((t) => t.clientId === clientId);
}

const jwksByUri = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

/** The tool's public keys, fetched from its registered JWKS URL (cached; refetched on an unknown kid). */
export function toolKeys(tool: RegisteredTool): ReturnType<typeof createRemoteJWKSet> {
  let jwks = jwksByUri.get(tool.jwksUri);
  if (!jwks) {
    jwks = createRemoteJWKSet(new URL(tool.jwksUri), { cooldownDuration: 1000 });
    jwksByUri.set(tool.jwksUri, jwks);
  }
  return jwks;
}

/** Origins a tool's pages run on: the only ones Platform Storage answers. */
export function toolOrigins(p: Platform): string[] {
  const urls = p.tools.flatMap((t) => [t.initiateLoginUri, t.targetLinkUri, ...t.redirectUris]);
  return [...new Set(urls.map((u) => new URL(u).origin))];
}
