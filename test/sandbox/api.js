'use strict';

/**
 * The Tracx Connect API under /v1/connect: routing, the request pipeline (auth, latency, faults,
 * permission) and the five documented endpoints, as described in TRACX-CONNECT-API.md (this
 * folder).
 */
const { readBody, parseJson, send, sendJson, sleep, BodyTooLarge } = require('./http-util');
const {
	validateParticipant,
	validateParticipantList,
	summarize,
	isLaravelInteger,
} = require('./rules');
const { statusMessage, htmlPage } = require('./faults');

const BASE_PATH = '/v1/connect';
const UNAUTHENTICATED = { message: 'Unauthenticated.' };
const UNAUTHORIZED = { message: 'This action is unauthorized.' };
// What a client gets for the "malformed" fault: a 200 whose JSON stops half way.
const BROKEN_JSON = '{"data":{"items":[{"id":1,"name":"Ev';

const inScope = (grant, eventId) => grant.events === null || grant.events.has(eventId);

const invalidJson = () => ({
	status: 400,
	body: { message: 'The request body is not valid JSON.' },
});

function validationFailed(errors) {
	return { status: 422, body: { message: summarize(errors), errors } };
}

function issueSessionToken({ grant, fault, tokens, clock }) {
	if (fault?.kind === 'session-missing-token') {
		const expiresAt = Math.floor(clock() / 1000) + tokens.lifetimeOf(grant.label);
		return { status: 200, body: { data: { expires_at: expiresAt } }, issued: false };
	}
	const { token, expiresAt } = tokens.issue(grant.label);
	const data =
		fault?.kind === 'session-missing-expires' ? { token } : { token, expires_at: expiresAt };
	return { status: 200, body: { data }, issued: true };
}

function listEvents({ grant, store }) {
	return {
		status: 200,
		body: { data: { items: store.listEvents().filter((event) => inScope(grant, event.id)) } },
	};
}

function listRaces({ grant, store, url }) {
	const raw = url.searchParams.get('event_id');
	let eventId = null;
	if (raw !== null && raw.trim() !== '') {
		if (!isLaravelInteger(raw))
			return validationFailed({ event_id: ['The event id field must be an integer.'] });
		eventId = Number(raw);
	}
	const items = store.listRaces(eventId).filter((race) => inScope(grant, race.event_id));
	return { status: 200, body: { data: { items } } };
}

function storeParticipant({ grant, store, rawBody }) {
	const body = parseJson(rawBody);
	if (!body.ok) return invalidJson();
	const result = validateParticipant(body.value, { raceExists: (id) => store.race(id) !== null });
	if (!result.valid) return validationFailed(result.errors);
	const eventId = store.race(result.value.race_id).event_id;
	if (!inScope(grant, eventId)) return { status: 403, body: UNAUTHORIZED };
	return { status: 200, body: { data: store.upsert(eventId, result.value) } };
}

function storeParticipants({ grant, store, imports, params, rawBody }) {
	const event = /^\d+$/.test(params.eventId) ? store.event(Number(params.eventId)) : null;
	if (!event) return { status: 404, body: { message: 'Event not found.' } };
	if (!inScope(grant, event.id)) return { status: 403, body: UNAUTHORIZED };
	const body = parseJson(rawBody);
	if (!body.ok) return invalidJson();
	if (!Array.isArray(body.value)) {
		return validationFailed({
			participants: ['The request body must be a JSON array of participants.'],
		});
	}
	const result = validateParticipantList(body.value, {
		raceExists: (id) => store.race(id)?.event_id === event.id,
	});
	if (!result.valid) return validationFailed(result.errors);
	const entry = imports.queue(event.id, result.values, grant.label);
	return { status: 200, body: { data: { queued: entry.count, import_id: entry.importId } } };
}

const ROUTES = [
	{
		key: 'POST /session-token',
		method: 'POST',
		pattern: /^\/session-token$/,
		auth: 'connect',
		handler: issueSessionToken,
	},
	{
		key: 'GET /events',
		method: 'GET',
		pattern: /^\/events$/,
		permission: 'permissions.events.list',
		handler: listEvents,
	},
	{
		key: 'GET /races',
		method: 'GET',
		pattern: /^\/races$/,
		permission: 'permissions.races.list',
		handler: listRaces,
	},
	{
		key: 'POST /participant',
		method: 'POST',
		pattern: /^\/participant$/,
		permission: 'permissions.participants.store',
		handler: storeParticipant,
	},
	{
		key: 'POST /events/{event_id}/participants',
		method: 'POST',
		pattern: /^\/events\/([^/]+)\/participants$/,
		permission: 'permissions.participants.store-multiple',
		handler: storeParticipants,
		params: (match) => ({ eventId: match[1] }),
	},
];
const API_ROUTES = ROUTES.map((route) => route.key);

/** `{ route, params }`, `{ allowed: [methods] }` for a known path with another method, or null. */
function matchRoute(method, pathname) {
	if (!pathname.startsWith(`${BASE_PATH}/`)) return null;
	const subPath = pathname.slice(BASE_PATH.length);
	const allowed = [];
	for (const route of ROUTES) {
		const match = route.pattern.exec(subPath);
		if (!match) continue;
		if (route.method === method) return { route, params: route.params ? route.params(match) : {} };
		allowed.push(route.method);
	}
	return allowed.length > 0 ? { allowed } : null;
}

/** Laravel's JSON answers for an unknown route and for a known route with the wrong method. */
function noRoute(method, pathname, allowed) {
	const path = pathname.replace(/^\//, '');
	if (allowed) {
		return {
			status: 405,
			body: {
				message: `The ${method} method is not supported for route ${path}. Supported methods: ${allowed.join(', ')}.`,
			},
		};
	}
	return { status: 404, body: { message: `The route ${path} could not be found.` } };
}

/**
 * Builds the request handler for API traffic. `deps`: store, tokens, imports, faults, metrics,
 * clock and settings (latencyMs is read per request).
 */
function createApi(deps) {
	const { tokens, faults, metrics, settings } = deps;

	return async function handleApi(req, res, url) {
		const startedAt = performance.now();
		const match = matchRoute(req.method, url.pathname);
		const route = match?.route ?? null;
		const check =
			route?.auth === 'connect'
				? tokens.checkConnect(req.headers.authorization)
				: tokens.checkSession(req.headers.authorization);
		const entry = {
			method: req.method,
			path: url.pathname,
			route: route ? route.key : 'unmatched',
			// Only documented parameters are logged, so nothing a client misplaces there can leak.
			query: url.searchParams.has('event_id') ? { event_id: url.searchParams.get('event_id') } : {},
			status: null,
			auth: check.auth,
			fault: null,
			accept: req.headers.accept ?? null,
			startedAt,
			issued: false,
		};
		const finish = (status, body, headers) => {
			sendJson(res, status, body, headers);
			entry.status = status;
			metrics.record(entry);
		};

		let rawBody;
		try {
			rawBody = await readBody(req);
		} catch (error) {
			if (!(error instanceof BodyTooLarge)) throw error;
			return finish(413, { message: 'The request body is too large.' });
		}
		if (settings.latencyMs > 0) await sleep(settings.latencyMs);
		if (!route) {
			const answer = noRoute(req.method, url.pathname, match?.allowed);
			return finish(answer.status, answer.body);
		}

		const fault = faults.take(route.key, rawBody, check.auth?.label ?? null);
		if (fault) {
			entry.fault = fault.kind;
			if (fault.kind === 'slow') await sleep(fault.ms);
			if (fault.kind === 'drop') {
				res.socket.destroy();
				return metrics.record(entry);
			}
			if (fault.kind === 'status') {
				const headers =
					fault.retryAfter === null ? {} : { 'Retry-After': String(fault.retryAfter) };
				return finish(fault.status, { message: statusMessage(fault.status) }, headers);
			}
			if (fault.kind === 'redirect') {
				return finish(fault.status, { message: 'Moved' }, { Location: fault.location });
			}
			if (fault.kind === 'malformed' || fault.kind === 'html') {
				const html = fault.kind === 'html';
				entry.status = html ? fault.status : 200;
				send(res, entry.status, html ? htmlPage(fault.status) : BROKEN_JSON, {
					'Content-Type': html ? 'text/html; charset=UTF-8' : 'application/json',
				});
				return metrics.record(entry);
			}
		}

		if (!check.grant) return finish(401, UNAUTHENTICATED);
		if (route.permission && !check.grant.permissions.has(route.permission))
			return finish(403, UNAUTHORIZED);
		// a flaky Tracx answering a well-formed but empty list, once the request was accepted
		if (fault?.kind === 'empty-list') return finish(200, { data: { items: [] } });
		const result = route.handler({
			...deps,
			grant: check.grant,
			fault,
			url,
			rawBody,
			params: match.params,
		});
		entry.issued = result.issued === true;
		return finish(result.status, result.body);
	};
}

module.exports = { createApi, API_ROUTES, BASE_PATH };
