'use strict';

/** Shared by the sandbox's own tests: real HTTP over 127.0.0.1 with Node's global fetch. */

const TOKENS = {
	all: 'fake-connect-token-all',
	read: 'fake-connect-token-read',
	write: 'fake-connect-token-write',
	event1: 'fake-connect-token-event1',
};

/**
 * One request. `token` goes into Authorization as is (callers add "Bearer " themselves);
 * `body` is sent as JSON, `rawBody` verbatim. Resolves to { status, headers, text, json }
 * where json is null when the body is not JSON.
 */
async function call(sandbox, method, path, { token, body, rawBody, headers = {} } = {}) {
	const init = { method, headers: { Accept: 'application/json', ...headers } };
	if (token !== undefined) init.headers.Authorization = token;
	if (body !== undefined || rawBody !== undefined) {
		init.headers['Content-Type'] = 'application/json';
		init.body = rawBody ?? JSON.stringify(body);
	}
	const url = path.startsWith('/__sandbox')
		? `${sandbox.origin}${path}`
		: `${sandbox.baseUrl}${path}`;
	const res = await fetch(url, init);
	const text = await res.text();
	let json = null;
	try {
		json = JSON.parse(text);
	} catch {
		json = null;
	}
	return { status: res.status, headers: res.headers, text, json };
}

/** Exchanges a connect token; resolves to the session token (fails the test otherwise). */
async function sessionToken(sandbox, connectToken = TOKENS.all) {
	const res = await call(sandbox, 'POST', '/session-token', { token: connectToken });
	if (res.status !== 200) throw new Error(`exchange failed: ${res.status} ${res.text}`);
	return res.json.data.token;
}

/** A participant that passes every rule, for race 1 (event 1) unless overridden. */
function participant(overrides = {}) {
	return {
		unique_id: 'P-1',
		first_name: 'Eva',
		last_name: 'Bakker',
		date_of_birth: '1992-06-30',
		race_id: 1,
		start_number: '501',
		chip_code: '0000501',
		...overrides,
	};
}

/** Polls `check` until it returns truthy or the deadline passes. */
async function waitFor(check, timeoutMs = 2000) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const result = await check();
		if (result) return result;
		if (Date.now() > deadline) throw new Error('condition not met in time');
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}

module.exports = { TOKENS, call, sessionToken, participant, waitFor };
