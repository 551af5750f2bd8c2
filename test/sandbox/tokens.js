'use strict';

/**
 * Connect tokens (long-lived, carry permissions and an optional event scope) and the session
 * tokens issued for them. Raw token strings never leave this module: logs and stats identify
 * a token by its label and its JWT `jti`.
 */
const crypto = require('node:crypto');
const jwt = require('./jwt');

const PERMISSIONS = [
	'permissions.events.list',
	'permissions.races.list',
	'permissions.participants.store',
	'permissions.participants.store-multiple',
];

const BEARER = /^Bearer\s+/i;

/** Splits an Authorization header into scheme and token. */
function parseHeader(header) {
	if (typeof header !== 'string' || header.trim() === '') return null;
	const value = header.trim();
	if (BEARER.test(value)) return { scheme: 'bearer', token: value.replace(BEARER, '') };
	return { scheme: 'bare', token: value };
}

function authInfo(kind, fields = {}) {
	return {
		kind,
		label: null,
		jti: null,
		scheme: null,
		expired: false,
		revoked: false,
		reason: null,
		...fields,
	};
}

class TokenRegistry {
	/** `settings` is shared and live: lifetime, authMode and singleSession are read per call. */
	constructor({ secret, clock, settings }) {
		this.secret = secret;
		this.clock = clock;
		this.settings = settings;
	}

	load(connectTokens) {
		this.byToken = new Map();
		this.byLabel = new Map();
		for (const spec of connectTokens) this.setConnectToken(spec);
		this.sessions = new Map(); // jti → { label, exp, serial, revoked }
		this.sessionsByLabel = new Map(); // label → Set of jti, for single-session revocation
		this.serial = 0;
		// Session tokens with a serial at or below this are expired (expire-all is O(1)).
		this.expiredUpTo = 0;
	}

	/** Adds a connect token or replaces the one with the same label. */
	setConnectToken({ token, label, permissions, events = null, lifetime = null }) {
		const previous = this.byLabel.get(label);
		if (previous) this.byToken.delete(previous.token);
		const record = {
			token,
			label,
			permissions: new Set(permissions),
			events: events === null ? null : new Set(events),
			lifetime,
			revoked: false,
		};
		this.byToken.set(token, record);
		this.byLabel.set(label, record);
	}

	hasLabel(label) {
		return this.byLabel.has(label);
	}

	labelOfToken(token) {
		return this.byToken.get(token)?.label ?? null;
	}

	revoke(label) {
		this.byLabel.get(label).revoked = true;
	}

	setLifetime(label, seconds) {
		this.byLabel.get(label).lifetime = seconds;
	}

	/** `{ label: seconds }` for connect tokens with their own session lifetime. */
	lifetimeOverrides() {
		const overrides = {};
		for (const [label, record] of this.byLabel)
			if (record.lifetime !== null) overrides[label] = record.lifetime;
		return overrides;
	}

	expireAll() {
		this.expiredUpTo = this.serial;
	}

	lifetimeOf(label) {
		return this.byLabel.get(label).lifetime ?? this.settings.lifetime;
	}

	/** Issues a session token for a connect token label: `{ token, expiresAt, jti }`. */
	issue(label) {
		const iat = Math.floor(this.clock() / 1000);
		const exp = iat + this.lifetimeOf(label);
		const jti = crypto.randomUUID();
		if (!this.sessionsByLabel.has(label)) this.sessionsByLabel.set(label, new Set());
		const active = this.sessionsByLabel.get(label);
		if (this.settings.singleSession) {
			for (const previous of active) this.sessions.get(previous).revoked = true;
			active.clear();
		}
		this.serial += 1;
		this.sessions.set(jti, { label, exp, serial: this.serial, revoked: false });
		active.add(jti);
		return { token: jwt.sign({ sub: label, jti, iat, exp }, this.secret), expiresAt: exp, jti };
	}

	/**
	 * Identifies the connect token presented to POST /session-token. Returns `{ auth, grant }`:
	 * `auth` for the log (reason null when accepted) and the connect token record when accepted.
	 * The docs show the connect token bare (TRACX-CONNECT-API.md, Endpoints), so a `Bearer `
	 * prefix is rejected in every auth mode.
	 */
	checkConnect(header) {
		const parsed = parseHeader(header);
		if (!parsed) return { auth: authInfo('none', { reason: 'missing' }), grant: null };
		const record = this.byToken.get(parsed.token);
		if (!record) {
			return {
				auth: authInfo('invalid', { scheme: parsed.scheme, reason: 'unknown' }),
				grant: null,
			};
		}
		const auth = authInfo('connect', {
			label: record.label,
			scheme: parsed.scheme,
			revoked: record.revoked,
		});
		if (parsed.scheme !== 'bare') auth.reason = 'scheme';
		else if (record.revoked) auth.reason = 'revoked';
		return { auth, grant: auth.reason ? null : record };
	}

	/**
	 * Identifies the session token presented to an API route, applying the auth mode, revocation
	 * and expiry. Returns `{ auth, grant }` like checkConnect; the grant is the connect token
	 * record as it is now, so permission changes apply to tokens already issued.
	 */
	checkSession(header) {
		const parsed = parseHeader(header);
		if (!parsed) return { auth: authInfo('none', { reason: 'missing' }), grant: null };
		const { scheme, token } = parsed;
		const verified = jwt.verify(token, this.secret);
		if (!verified.ok) {
			// Name the mistake of sending the connect token itself, without logging the token.
			const label = this.labelOfToken(token);
			const reason = label ? 'connect-token' : verified.reason;
			return { auth: authInfo('invalid', { scheme, label, reason }), grant: null };
		}
		const session = this.sessions.get(verified.payload.jti);
		if (!session) return { auth: authInfo('invalid', { scheme, reason: 'unknown' }), grant: null };

		const record = this.byLabel.get(session.label);
		const revoked = session.revoked || !record || record.revoked;
		const expired =
			session.serial <= this.expiredUpTo || Math.floor(this.clock() / 1000) >= session.exp;
		const auth = authInfo('session', {
			label: session.label,
			jti: verified.payload.jti,
			scheme,
			expired,
			revoked,
		});
		const mode = this.settings.authMode;
		if (mode !== 'any' && mode !== scheme) auth.reason = 'scheme';
		else if (revoked) auth.reason = 'revoked';
		else if (expired) auth.reason = 'expired';
		return { auth, grant: auth.reason ? null : record };
	}
}

module.exports = { TokenRegistry, PERMISSIONS };
