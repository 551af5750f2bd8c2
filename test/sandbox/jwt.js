'use strict';

/**
 * HS256 JSON Web Tokens (RFC 7519) with node:crypto only. The sandbox signs its session tokens
 * with this and checks them on every API request; expiry and revocation are decided by the
 * token registry, not here, because they depend on sandbox state (expire-all, revoke).
 */
const crypto = require('node:crypto');

const HEADER = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));

function base64url(input) {
	return Buffer.from(input).toString('base64url');
}

function signature(signingInput, secret) {
	return crypto.createHmac('sha256', secret).update(signingInput).digest();
}

/** Returns the compact serialisation `header.payload.signature`. */
function sign(payload, secret) {
	const signingInput = `${HEADER}.${base64url(JSON.stringify(payload))}`;
	return `${signingInput}.${signature(signingInput, secret).toString('base64url')}`;
}

function decodeJson(part) {
	try {
		const value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
		return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : null;
	} catch {
		return null;
	}
}

/**
 * Checks structure, algorithm and signature. Returns `{ ok: true, payload }` or
 * `{ ok: false, reason: 'malformed' | 'signature' }`. Only HS256 is accepted, so a token with
 * `alg: none` or any other algorithm is rejected before the signature is even looked at.
 */
function verify(token, secret) {
	const parts = typeof token === 'string' ? token.split('.') : [];
	if (parts.length !== 3 || parts.some((part) => !/^[A-Za-z0-9_-]+$/.test(part))) {
		return { ok: false, reason: 'malformed' };
	}
	const header = decodeJson(parts[0]);
	const payload = decodeJson(parts[1]);
	if (!header || !payload || header.alg !== 'HS256') return { ok: false, reason: 'malformed' };

	const expected = signature(`${parts[0]}.${parts[1]}`, secret);
	const given = Buffer.from(parts[2], 'base64url');
	// timingSafeEqual throws on a length mismatch, so compare lengths first.
	if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) {
		return { ok: false, reason: 'signature' };
	}
	return { ok: true, payload };
}

/** Reads the payload without checking anything: for tests and diagnostics only. */
function decode(token) {
	const parts = typeof token === 'string' ? token.split('.') : [];
	return parts.length === 3 ? decodeJson(parts[1]) : null;
}

module.exports = { sign, verify, decode };
