import { createHash } from 'crypto';
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

/**
 * Everything that decides whether a stored session token may still be sent.
 * Shared by the credential (authenticate, preAuthentication) and the node, so the
 * rule lives in exactly one place.
 */

export const DEFAULT_BASE_URL = 'https://api.tracx.events/v1/connect';

/** Refresh this long before `expires_at`, so a token never expires in flight. */
export const EXPIRY_MARGIN_SECONDS = 60;

export type SessionTokenFormat = 'bare' | 'bearer';

export interface TracxCredentials {
	connectToken: string;
	baseUrl: string;
	authorizationHeaderFormat: SessionTokenFormat;
	sessionToken: string;
	sessionExpiresAt: number;
	sessionIssuedAt: number;
	sessionFingerprint: string;
}

/**
 * How the credential's two refusals to send anything begin. n8n 1.x hands a node only the
 * message of what the credential threw, so the node recognises them by these words.
 */
export const REFUSAL_PREFIXES = {
	baseUrl: 'The Base URL of the Tracx credential ',
	foreignHost: 'The Tracx credential only sends its session token to ',
} as const;

export class InvalidBaseUrlError extends Error {
	constructor(reason: string) {
		super(`${REFUSAL_PREFIXES.baseUrl}${reason}`);
		this.name = 'InvalidBaseUrlError';
	}
}

const MISSING_SCHEME = `must start with https:// (for example ${DEFAULT_BASE_URL})`;

export type BaseUrlCheck = { ok: true; url: string } | { ok: false; reason: string };

function isLoopbackHost(hostname: string): boolean {
	const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
	return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

function parseUrl(text: string): URL | undefined {
	try {
		return new URL(text);
	} catch {
		return undefined;
	}
}

/**
 * Validates the base URL and returns it without trailing slashes.
 * The connect token is sent to this URL, so anything that could route it somewhere
 * unexpected (plain http to a remote host, user-info, query strings) is refused
 * before a request is made.
 */
export function checkBaseUrl(raw: unknown): BaseUrlCheck {
	const text = typeof raw === 'string' ? raw.trim() : '';
	if (!text) return { ok: true, url: DEFAULT_BASE_URL };
	// "api.tracx.events/v1/connect" is no URL, and "localhost:3000" would read as one with
	// the scheme "localhost:": both miss the scheme, which is what the user has to add.
	if (!/^[a-z][a-z\d+.-]*:\/\//i.test(text)) return { ok: false, reason: MISSING_SCHEME };
	const url = parseUrl(text);
	if (!url) return { ok: false, reason: 'is not a valid URL' };
	if (url.username || url.password)
		return { ok: false, reason: 'must not contain a user name or password' };
	if (url.search || url.hash)
		return { ok: false, reason: 'must not contain a query string or fragment' };
	if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
		return {
			ok: false,
			reason: 'must use https (plain http is accepted only for 127.0.0.1, localhost and ::1)',
		};
	}
	if (url.protocol !== 'https:' && url.protocol !== 'http:')
		return { ok: false, reason: 'must use https' };
	return { ok: true, url: `${url.origin}${url.pathname.replace(/\/+$/, '')}` };
}

export function normalizeBaseUrl(raw: unknown): string {
	const check = checkBaseUrl(raw);
	if (!check.ok) throw new InvalidBaseUrlError(check.reason);
	return check.url;
}

/**
 * Identifies the connect token and base URL a session token was issued for, without
 * storing anything from which the connect token could be read back.
 */
export function fingerprintOf(connectToken: string, baseUrl: string): string {
	return createHash('sha256').update(`${baseUrl}\n${connectToken}`).digest('hex');
}

function toNumber(value: unknown): number {
	const n = typeof value === 'string' ? Number(value) : value;
	return typeof n === 'number' && Number.isFinite(n) ? n : 0;
}

export function readCredentials(data: ICredentialDataDecryptedObject): TracxCredentials {
	return {
		connectToken: typeof data.connectToken === 'string' ? data.connectToken.trim() : '',
		baseUrl: normalizeBaseUrl(data.baseUrl),
		authorizationHeaderFormat: data.authorizationHeaderFormat === 'bearer' ? 'bearer' : 'bare',
		sessionToken: typeof data.sessionToken === 'string' ? data.sessionToken : '',
		sessionExpiresAt: toNumber(data.sessionExpiresAt),
		sessionIssuedAt: toNumber(data.sessionIssuedAt),
		sessionFingerprint: typeof data.sessionFingerprint === 'string' ? data.sessionFingerprint : '',
	};
}

/**
 * Seconds before expiry at which a token counts as stale: the fixed margin, but never
 * more than half the token's lifetime, so very short-lived tokens stay usable.
 */
function refreshMargin(credentials: TracxCredentials): number {
	const lifetime = credentials.sessionExpiresAt - credentials.sessionIssuedAt;
	return lifetime > 0 ? Math.min(EXPIRY_MARGIN_SECONDS, lifetime / 2) : EXPIRY_MARGIN_SECONDS;
}

export type SessionState = 'missing' | 'expired' | 'foreign' | 'usable';

export const STALE_SESSION_MESSAGES = {
	foreign: 'The stored Tracx session token was issued for another connect token or Base URL',
	outdated: 'The stored Tracx session token is missing or about to expire',
} as const;

/** Whether the stored session token may be sent right now, and if not, why. */
export function sessionState(credentials: TracxCredentials, nowSeconds: number): SessionState {
	if (!credentials.sessionToken) return 'missing';
	const expected = fingerprintOf(credentials.connectToken, credentials.baseUrl);
	if (credentials.sessionFingerprint !== expected) return 'foreign';
	if (credentials.sessionExpiresAt - refreshMargin(credentials) <= nowSeconds) {
		return 'expired';
	}
	return 'usable';
}

export function authorizationValue(credentials: TracxCredentials): string {
	return credentials.authorizationHeaderFormat === 'bearer'
		? `Bearer ${credentials.sessionToken}`
		: credentials.sessionToken;
}

export function nowInSeconds(): number {
	return Math.floor(Date.now() / 1000);
}
