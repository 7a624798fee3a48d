// Alertmanager does not sign bodies; its http_config sends `Authorization: Bearer <token>` or
// Basic credentials (or uses mTLS, which the server terminates). Any configured credential matches.
import { headerValue, type AuthResult, type IncomingRequest } from '../request';
import { notConfigured, type SourceAuthConfig } from './config';
import { constantTimeEqual } from './crypto';

type AlertmanagerAuth = NonNullable<SourceAuthConfig['alertmanager']>;
type BasicUser = NonNullable<AlertmanagerAuth['basic']>[number];

const MALFORMED = 'Authorization must be "Bearer <token>" or "Basic <credentials>"';

export function verifyAlertmanager(config: AlertmanagerAuth, req: IncomingRequest): AuthResult {
  const tokens = config.bearerTokens ?? [];
  const users = config.basic ?? [];
  if (tokens.length === 0 && users.length === 0) return notConfigured('alertmanager');

  const authorization = headerValue(req, 'authorization');
  if (authorization === undefined) return { ok: false, reason: 'missing Authorization header' };
  const parts = /^(\S+)\s+(\S+)$/.exec(authorization);
  if (parts === null) return { ok: false, reason: MALFORMED };
  const [, scheme, credentials] = parts;
  // The scheme is never echoed: a sender that forgot it would have its token in that position.
  switch (scheme.toLowerCase()) {
    case 'bearer':
      return bearer(tokens, credentials);
    case 'basic':
      return basic(users, credentials);
    default:
      return { ok: false, reason: MALFORMED };
  }
}

function bearer(tokens: readonly string[], token: string): AuthResult {
  if (tokens.length === 0) return { ok: false, reason: 'alertmanager accepts no bearer tokens (only basic auth is configured)' };
  const index = tokens.findIndex((candidate) => constantTimeEqual(candidate, token));
  return index === -1 ? { ok: false, reason: 'bearer token does not match' } : { ok: true, identity: `alertmanager (bearer #${index + 1})` };
}

function basic(users: readonly BasicUser[], credentials: string): AuthResult {
  if (users.length === 0) return { ok: false, reason: 'alertmanager accepts no basic auth (only bearer tokens are configured)' };
  const decoded = Buffer.from(credentials, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return { ok: false, reason: 'Basic credentials must be base64 of "username:password"' };
  const username = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  const match = users.find((user) => {
    // Both compared every time, so timing does not tell a known username from an unknown one.
    const sameUser = constantTimeEqual(user.username, username);
    const samePassword = constantTimeEqual(user.password, password);
    return sameUser && samePassword;
  });
  return match === undefined ? { ok: false, reason: 'basic credentials do not match' } : { ok: true, identity: `alertmanager (basic ${match.username})` };
}
