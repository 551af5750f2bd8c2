'use strict';

/**
 * Injected failures: "the next N matching requests fail this way". Faults are consumed in the
 * order they were added; a request takes at most one. The list holds a handful of entries, so
 * a linear search per request is fine.
 */
const http = require('node:http');

const SESSION_ROUTE = 'POST /session-token';
const LIST_ROUTES = ['GET /events', 'GET /races'];
const REDIRECT_STATUSES = [301, 302, 303, 307, 308];
const KINDS = [
	'empty-list',
	'status',
	'drop',
	'slow',
	'malformed',
	'html',
	'redirect',
	'session-missing-token',
	'session-missing-expires',
];

class FaultError extends Error {}

function positiveInteger(value, name, fallback) {
	if (value === undefined) return fallback;
	if (!Number.isSafeInteger(value) || value < 1)
		throw new FaultError(`${name} must be a positive integer`);
	return value;
}

function errorStatus(value, fallback) {
	if (value === undefined) return fallback;
	if (!Number.isSafeInteger(value) || value < 400 || value > 599) {
		throw new FaultError('status must be an integer from 400 to 599');
	}
	return value;
}

/**
 * Validates a fault request body and returns the normalised fault. `apiRoutes` lists the route
 * keys (e.g. "GET /events") a fault may target.
 */
function parseFault(spec, apiRoutes) {
	if (spec === null || typeof spec !== 'object' || Array.isArray(spec))
		throw new FaultError('body must be an object');
	const kind = spec.kind ?? 'status';
	if (!KINDS.includes(kind)) throw new FaultError(`kind must be one of ${KINDS.join(', ')}`);
	const sessionOnly = kind.startsWith('session-');
	const listsOnly = kind === 'empty-list';

	const fault = {
		kind,
		remaining: positiveInteger(spec.count, 'count', 1),
		status: null,
		retryAfter: null,
		ms: 0,
		location: null,
	};
	if (kind === 'status') {
		if (spec.status === undefined) throw new FaultError('status is required');
		fault.status = errorStatus(spec.status);
		const retryAfter = spec.retryAfter ?? null;
		if (retryAfter !== null && (!Number.isSafeInteger(retryAfter) || retryAfter < 0)) {
			throw new FaultError('retryAfter must be a non-negative integer or null');
		}
		fault.retryAfter = retryAfter;
	}
	if (kind === 'html') fault.status = errorStatus(spec.status, 502);
	if (kind === 'redirect') {
		fault.status = spec.status ?? 307;
		if (!REDIRECT_STATUSES.includes(fault.status))
			throw new FaultError(`status must be one of ${REDIRECT_STATUSES.join(', ')}`);
		if (typeof spec.location !== 'string' || !/^https?:\/\//.test(spec.location))
			throw new FaultError('location must be an absolute http(s) URL');
		fault.location = spec.location;
	}
	if (kind === 'slow') {
		if (!Number.isSafeInteger(spec.ms) || spec.ms < 0)
			throw new FaultError('ms must be a non-negative integer');
		fault.ms = spec.ms;
	}

	// By default a fault hits the data routes, not the token exchange: a test of "the events
	// call fails" should not also break authentication. Include the session route explicitly.
	const defaults = sessionOnly
		? [SESSION_ROUTE]
		: listsOnly
			? LIST_ROUTES
			: apiRoutes.filter((route) => route !== SESSION_ROUTE);
	const routes = spec.routes ?? defaults;
	if (
		!Array.isArray(routes) ||
		routes.length === 0 ||
		routes.some((route) => !apiRoutes.includes(route))
	) {
		throw new FaultError(`routes must be a non-empty list of: ${apiRoutes.join(', ')}`);
	}
	if (sessionOnly && routes.some((route) => route !== SESSION_ROUTE)) {
		throw new FaultError(`${kind} applies only to ${SESSION_ROUTE}`);
	}
	if (listsOnly && routes.some((route) => !LIST_ROUTES.includes(route))) {
		throw new FaultError(`${kind} applies only to ${LIST_ROUTES.join(' and ')}`);
	}
	fault.routes = new Set(routes);
	// Lets a test aim a fault at one record (say, the first of two requests for one unique_id)
	// whatever order concurrent requests arrive in.
	const bodyContains = spec.bodyContains ?? null;
	if (bodyContains !== null && (typeof bodyContains !== 'string' || bodyContains === '')) {
		throw new FaultError('bodyContains must be a non-empty string or null');
	}
	fault.bodyContains = bodyContains;
	// Lets a test aim a fault at one client (one n8n workflow, say) among several polling the
	// same route: only requests whose token belongs to this connect-token label match.
	const label = spec.label ?? null;
	if (label !== null && (typeof label !== 'string' || label === '')) {
		throw new FaultError('label must be a non-empty string or null');
	}
	fault.label = label;
	return fault;
}

class Faults {
	constructor(apiRoutes) {
		this.apiRoutes = apiRoutes;
		this.pending = [];
	}

	add(spec) {
		this.pending.push(parseFault(spec, this.apiRoutes));
	}

	clear() {
		this.pending = [];
	}

	/** Consumes and returns the first fault matching the route (body, token label), or null. */
	take(route, body = '', label = null) {
		const index = this.pending.findIndex(
			(fault) =>
				fault.routes.has(route) &&
				(fault.bodyContains === null || body.includes(fault.bodyContains)) &&
				(fault.label === null || fault.label === label),
		);
		if (index === -1) return null;
		const fault = this.pending[index];
		fault.remaining -= 1;
		if (fault.remaining === 0) this.pending.splice(index, 1);
		return fault;
	}

	list() {
		return this.pending.map(({ routes, ...fault }) => ({ ...fault, routes: [...routes] }));
	}
}

/** The JSON message for an injected status, in Laravel's wording where it has one. */
function statusMessage(status) {
	if (status === 429) return 'Too Many Attempts.';
	if (status === 500) return 'Server Error';
	return http.STATUS_CODES[status] ?? 'Error';
}

function htmlPage(status) {
	const title = `${status} ${http.STATUS_CODES[status] ?? 'Error'}`;
	return `<!DOCTYPE html>\n<html>\n<head><title>${title}</title></head>\n<body>\n<center><h1>${title}</h1></center>\n<hr><center>nginx</center>\n</body>\n</html>\n`;
}

module.exports = { Faults, FaultError, statusMessage, htmlPage };
