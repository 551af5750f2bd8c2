'use strict';

/**
 * The sandbox's test controls. Each function takes the same object as the JSON body (or query)
 * of its HTTP endpoint under /__sandbox and returns the same object the endpoint answers, so
 * in-process tests and out-of-process suites drive the sandbox identically. Invalid input
 * throws a ControlError carrying the HTTP status (400, or 404 for an unknown label).
 */
const { FaultError } = require('./faults');
const { PERMISSIONS } = require('./tokens');
const { isLaravelInteger } = require('./rules');
const { readBody, parseJson, sendJson } = require('./http-util');

const AUTH_MODES = ['any', 'bare', 'bearer'];

class ControlError extends Error {
	constructor(status, message) {
		super(message);
		this.status = status;
	}
}

function nonNegativeInteger(value, name) {
	if (!Number.isSafeInteger(value) || value < 0)
		throw new ControlError(400, `${name} must be a non-negative integer`);
	return value;
}

function nonEmptyString(value, name) {
	if (typeof value !== 'string' || value.trim() === '')
		throw new ControlError(400, `${name} must be a non-empty string`);
	return value;
}

/** Query values arrive as text; in-process callers may pass numbers. */
function optionalIntegerParam(value, name) {
	if (value === undefined || value === null || value === '') return null;
	if (!isLaravelInteger(value)) throw new ControlError(400, `${name} must be an integer`);
	return Number(value);
}

function positiveInteger(value, name) {
	if (!Number.isSafeInteger(value) || value < 1)
		throw new ControlError(400, `${name} must be a positive integer`);
	return value;
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

/** Changes for touch(): a new name and/or an explicit `updated_at` (default: now). */
function parseTouch({ name, updated_at: updatedAt }) {
	if (name !== undefined) nonEmptyString(name, 'name');
	if (updatedAt !== undefined && (typeof updatedAt !== 'string' || !TIMESTAMP.test(updatedAt))) {
		throw new ControlError(400, 'updated_at must be "YYYY-MM-DD HH:MM:SS"');
	}
	return { name, updated_at: updatedAt };
}

function found(record, kind, id) {
	if (record === null || record === false) throw new ControlError(404, `no ${kind} ${id}`);
	return record;
}

function knownLabel(tokens, label) {
	nonEmptyString(label, 'label');
	if (!tokens.hasLabel(label)) throw new ControlError(404, `unknown connect token label: ${label}`);
	return label;
}

function parseConnectToken(body, tokens) {
	const token = nonEmptyString(body.token, 'token');
	const label = nonEmptyString(body.label, 'label');
	// A token that looks like "Bearer x" or has outer spaces could never be presented as is.
	if (token !== token.trim() || /^Bearer\s/i.test(token)) {
		throw new ControlError(400, 'token must not have surrounding spaces or a Bearer prefix');
	}
	const owner = tokens.labelOfToken(token);
	if (owner !== null && owner !== label)
		throw new ControlError(400, `token already belongs to label ${owner}`);
	const { permissions, events = null, lifetime = null } = body;
	if (!Array.isArray(permissions) || permissions.some((p) => !PERMISSIONS.includes(p))) {
		throw new ControlError(400, `permissions must be a list of: ${PERMISSIONS.join(', ')}`);
	}
	if (events !== null && (!Array.isArray(events) || !events.every(Number.isSafeInteger))) {
		throw new ControlError(400, 'events must be null or a list of event ids');
	}
	if (lifetime !== null) nonNegativeInteger(lifetime, 'lifetime');
	return { token, label, permissions, events, lifetime };
}

/**
 * `deps`: store, tokens, imports, faults, metrics, settings, defaults (the knob values
 * reset returns to), seed, and address ({ baseUrl, origin }, filled once listening).
 */
function createControl(deps) {
	const { store, tokens, imports, faults, metrics, settings, defaults, seed, address } = deps;

	const currentSettings = () => ({
		lifetime: settings.lifetime,
		lifetimeByLabel: tokens.lifetimeOverrides(),
		bulkDelayMs: settings.bulkDelayMs,
		latencyMs: settings.latencyMs,
		authMode: settings.authMode,
		singleSession: settings.singleSession,
	});
	const changed = () => ({ ok: true, settings: currentSettings() });

	return {
		health: () => ({
			ok: true,
			baseUrl: address.baseUrl,
			origin: address.origin,
			settings: currentSettings(),
		}),

		stats: () => ({
			...metrics.snapshot(),
			participants: store.counts(),
			bulkImports: imports.counts(),
			pendingFaults: faults.list(),
		}),

		requests: ({ since } = {}) => ({
			items: metrics.entries(optionalIntegerParam(since, 'since') ?? 0),
		}),

		/** Seed data, counters, log, faults, pending imports and every knob back to the start. */
		reset: () => {
			imports.clear();
			faults.clear();
			metrics.reset();
			Object.assign(settings, defaults);
			store.load(seed);
			tokens.load(seed.connectTokens);
			return { ok: true };
		},

		faults: (body) => {
			try {
				faults.add(body);
			} catch (error) {
				if (error instanceof FaultError) throw new ControlError(400, error.message);
				throw error;
			}
			return { ok: true, pending: faults.list() };
		},

		/** Drops every pending fault (a persistent one a test no longer wants, say). */
		clearFaults: () => {
			faults.clear();
			return { ok: true, pending: [] };
		},

		latency: ({ ms } = {}) => {
			settings.latencyMs = nonNegativeInteger(ms, 'ms');
			return changed();
		},

		bulkDelay: ({ ms } = {}) => {
			settings.bulkDelayMs = nonNegativeInteger(ms, 'ms');
			return changed();
		},

		expireAll: () => {
			tokens.expireAll();
			return { ok: true };
		},

		revoke: ({ label } = {}) => {
			tokens.revoke(knownLabel(tokens, label));
			return { ok: true, label };
		},

		authMode: ({ mode } = {}) => {
			if (!AUTH_MODES.includes(mode))
				throw new ControlError(400, `mode must be one of ${AUTH_MODES.join(', ')}`);
			settings.authMode = mode;
			return changed();
		},

		singleSession: ({ enabled } = {}) => {
			if (typeof enabled !== 'boolean')
				throw new ControlError(400, 'enabled must be true or false');
			settings.singleSession = enabled;
			return changed();
		},

		lifetime: ({ seconds, label } = {}) => {
			nonNegativeInteger(seconds, 'seconds');
			if (label === undefined || label === null) settings.lifetime = seconds;
			else tokens.setLifetime(knownLabel(tokens, label), seconds);
			return changed();
		},

		connectTokens: (body = {}) => {
			const spec = parseConnectToken(body, tokens);
			tokens.setConnectToken(spec);
			return { ok: true, label: spec.label };
		},

		participants: ({ event_id: eventId } = {}) => {
			const items = store.listParticipants(optionalIntegerParam(eventId, 'event_id'));
			return { items, count: items.length };
		},

		imports: () => ({ items: imports.list() }),

		flushImports: () => ({ ok: true, applied: imports.flush() }),

		// Events and races change only through these: the API itself only reads them.
		createEvent: ({ name } = {}) => ({
			ok: true,
			event: store.createEvent({ name: nonEmptyString(name, 'name') }),
		}),

		updateEvent: ({ id, ...changes } = {}) => {
			positiveInteger(id, 'id');
			return { ok: true, event: found(store.touch('event', id, parseTouch(changes)), 'event', id) };
		},

		deleteEvent: ({ id } = {}) => {
			found(store.deleteEvent(positiveInteger(id, 'id')), 'event', id);
			return { ok: true };
		},

		createRace: ({ event_id: eventId, name } = {}) => {
			const spec = {
				event_id: positiveInteger(eventId, 'event_id'),
				name: nonEmptyString(name, 'name'),
			};
			return { ok: true, race: found(store.createRace(spec), 'event', eventId) };
		},

		updateRace: ({ id, ...changes } = {}) => {
			positiveInteger(id, 'id');
			return { ok: true, race: found(store.touch('race', id, parseTouch(changes)), 'race', id) };
		},

		deleteRace: ({ id } = {}) => {
			found(store.deleteRace(positiveInteger(id, 'id')), 'race', id);
			return { ok: true };
		},
	};
}

const CONTROL_ROUTES = {
	'GET /__sandbox/health': (control) => control.health(),
	'GET /__sandbox/stats': (control) => control.stats(),
	'GET /__sandbox/requests': (control, body, query) =>
		control.requests({ since: query.get('since') }),
	'GET /__sandbox/participants': (control, body, query) =>
		control.participants({ event_id: query.get('event_id') }),
	'GET /__sandbox/imports': (control) => control.imports(),
	'POST /__sandbox/reset': (control) => control.reset(),
	'POST /__sandbox/faults': (control, body) => control.faults(body),
	'POST /__sandbox/clear-faults': (control) => control.clearFaults(),
	'POST /__sandbox/latency': (control, body) => control.latency(body),
	'POST /__sandbox/bulk-delay': (control, body) => control.bulkDelay(body),
	'POST /__sandbox/expire-all': (control) => control.expireAll(),
	'POST /__sandbox/revoke': (control, body) => control.revoke(body),
	'POST /__sandbox/auth-mode': (control, body) => control.authMode(body),
	'POST /__sandbox/single-session': (control, body) => control.singleSession(body),
	'POST /__sandbox/lifetime': (control, body) => control.lifetime(body),
	'POST /__sandbox/connect-tokens': (control, body) => control.connectTokens(body),
	'POST /__sandbox/flush-imports': (control) => control.flushImports(),
	'POST /__sandbox/create-event': (control, body) => control.createEvent(body),
	'POST /__sandbox/update-event': (control, body) => control.updateEvent(body),
	'POST /__sandbox/delete-event': (control, body) => control.deleteEvent(body),
	'POST /__sandbox/create-race': (control, body) => control.createRace(body),
	'POST /__sandbox/update-race': (control, body) => control.updateRace(body),
	'POST /__sandbox/delete-race': (control, body) => control.deleteRace(body),
};

/** HTTP front of the controls: JSON in, JSON out, `{ "error": "..." }` on a bad request. */
function createControlHandler(control) {
	return async function handleControl(req, res, url) {
		const action = CONTROL_ROUTES[`${req.method} ${url.pathname}`];
		if (!action)
			return sendJson(res, 404, { error: `no control endpoint ${req.method} ${url.pathname}` });
		const text = await readBody(req);
		const body = text.trim() === '' ? { ok: true, value: {} } : parseJson(text);
		if (
			!body.ok ||
			body.value === null ||
			typeof body.value !== 'object' ||
			Array.isArray(body.value)
		) {
			return sendJson(res, 400, { error: 'body must be a JSON object' });
		}
		try {
			return sendJson(res, 200, action(control, body.value, url.searchParams));
		} catch (error) {
			if (!(error instanceof ControlError)) throw error;
			return sendJson(res, error.status, { error: error.message });
		}
	};
}

module.exports = { createControl, createControlHandler, AUTH_MODES };
