'use strict';

const { startForeignHost, FOREIGN_SESSION_TOKEN } = require('./foreign-host');
const { startSandbox } = require('./server');
const jwt = require('./jwt');
const { TOKENS, call, sessionToken, participant, waitFor } = require('./test-helpers');

let sandbox;
beforeAll(async () => {
	sandbox = await startSandbox();
});
afterEach(() => sandbox.reset());
afterAll(() => sandbox.close());

const control = (method, name, body) =>
	call(sandbox, method, `/__sandbox/${name}`, body === undefined ? {} : { body });
const events = (token) => call(sandbox, 'GET', '/events', { token });
const lastAuth = () => sandbox.control.requests().items.at(-1).auth;

describe('GET /__sandbox/health', () => {
	test('reports the URLs and the current settings', async () => {
		const res = await control('GET', 'health');
		expect(res.status).toBe(200);
		expect(res.json).toEqual({
			ok: true,
			baseUrl: sandbox.baseUrl,
			origin: sandbox.origin,
			settings: {
				lifetime: 3600,
				lifetimeByLabel: {},
				bulkDelayMs: 200,
				latencyMs: 0,
				authMode: 'any',
				singleSession: false,
			},
		});
		expect(sandbox.baseUrl).toBe(`http://127.0.0.1:${sandbox.port}/v1/connect`);
	});
});

describe('GET /__sandbox/stats', () => {
	test('counts exchanges, failures, routes, statuses, 401s and 403s', async () => {
		const all = await sessionToken(sandbox, TOKENS.all);
		const write = await sessionToken(sandbox, TOKENS.write);
		await sessionToken(sandbox, TOKENS.all);
		await call(sandbox, 'POST', '/session-token', { token: 'fake-connect-token-unknown' });
		await events(all);
		await events(write); // 403
		await events('garbage'); // 401
		await call(sandbox, 'GET', '/races', { token: all });

		const res = await control('GET', 'stats');
		expect(res.status).toBe(200);
		expect(res.json).toEqual({
			exchanges: { total: 3, byLabel: { all: 2, write: 1 } },
			exchangeFailures: 1,
			requests: {
				total: 8,
				byRoute: { 'POST /session-token': 4, 'GET /events': 3, 'GET /races': 1 },
			},
			status: { 200: 5, 401: 2, 403: 1 },
			unauthorized: 2,
			forbidden: 1,
			requestsWithExpiredToken: 0,
			requestsWithRevokedToken: 0,
			dropped: 0,
			faultsInjected: { total: 0, byKind: {} },
			participants: { stored: 4, byEvent: { 1: 3, 2: 1, 3: 0 } },
			bulkImports: { queued: 0, applied: 0, pending: 0 },
			pendingFaults: [],
		});
		expect(sandbox.stats()).toEqual(res.json);
	});

	test('control endpoint calls are not counted', async () => {
		await control('GET', 'health');
		await control('GET', 'participants');
		expect(sandbox.stats().requests.total).toBe(0);
	});
});

describe('GET /__sandbox/requests', () => {
	test('logs each API request with auth details', async () => {
		const token = await sessionToken(sandbox, TOKENS.read);
		await call(sandbox, 'GET', '/races?event_id=2', { token: `Bearer ${token}` });
		const { jti } = jwt.decode(token);

		const res = await control('GET', 'requests');
		expect(res.json.items).toEqual([
			{
				seq: 1,
				time: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
				method: 'POST',
				path: '/v1/connect/session-token',
				route: 'POST /session-token',
				query: {},
				status: 200,
				auth: {
					kind: 'connect',
					label: 'read',
					jti: null,
					scheme: 'bare',
					expired: false,
					revoked: false,
					reason: null,
				},
				fault: null,
				accept: 'application/json',
				durationMs: expect.any(Number),
			},
			expect.objectContaining({
				seq: 2,
				method: 'GET',
				path: '/v1/connect/races',
				route: 'GET /races',
				query: { event_id: '2' },
				status: 200,
				auth: {
					kind: 'session',
					label: 'read',
					jti,
					scheme: 'bearer',
					expired: false,
					revoked: false,
					reason: null,
				},
			}),
		]);
		expect(res.json.items[1].durationMs).toBeGreaterThanOrEqual(0);
	});

	test('?since returns only newer entries', async () => {
		await sessionToken(sandbox);
		await sessionToken(sandbox);
		await sessionToken(sandbox);
		const res = await call(sandbox, 'GET', '/__sandbox/requests?since=2');
		expect(res.json.items.map((entry) => entry.seq)).toEqual([3]);
		expect((await call(sandbox, 'GET', '/__sandbox/requests?since=x')).status).toBe(400);
	});

	test('neither the log nor the stats ever contain a raw token', async () => {
		const issued = [];
		for (const connect of Object.values(TOKENS)) {
			const token = await sessionToken(sandbox, connect);
			issued.push(token);
			await events(token);
			await events(`Bearer ${token}`);
			await events(connect); // a connect token sent where a session token belongs
			await call(sandbox, 'POST', '/session-token', { token: `Bearer ${connect}` });
		}
		sandbox.control.revoke({ label: 'read' });
		await events(issued[1]);
		await call(sandbox, 'POST', '/session-token', { token: TOKENS.read });
		await call(sandbox, 'GET', '/events?event_id=1&token=not-logged', { token: issued[0] });

		const dump = [
			(await control('GET', 'requests')).text,
			(await control('GET', 'stats')).text,
			(await control('GET', 'health')).text,
		].join('\n');
		for (const secret of [
			...Object.values(TOKENS),
			...issued,
			...issued.map((t) => t.split('.')[2]),
		]) {
			expect(dump).not.toContain(secret);
		}
		expect(dump).not.toContain('not-logged');
		expect(dump).toContain('"label":"event1"');
	});
});

describe('POST /__sandbox/reset', () => {
	test('restores seed data, clears counters and log, turns knobs off and forgets tokens', async () => {
		const token = await sessionToken(sandbox, TOKENS.write);
		await call(sandbox, 'POST', '/participant', { token, body: participant() });
		sandbox.control.latency({ ms: 5 });
		sandbox.control.authMode({ mode: 'bearer' });
		sandbox.control.lifetime({ seconds: 10, label: 'all' });
		sandbox.control.revoke({ label: 'read' });
		sandbox.control.faults({ status: 500, count: 5 });
		sandbox.control.connectTokens({ token: 'fake-extra', label: 'extra', permissions: [] });

		const res = await control('POST', 'reset');
		expect(res.json).toEqual({ ok: true });
		expect(sandbox.control.participants().count).toBe(4);
		expect(sandbox.stats().requests.total).toBe(0);
		expect(sandbox.control.requests().items).toEqual([]);
		expect(sandbox.stats().pendingFaults).toEqual([]);
		expect(sandbox.control.health().settings).toEqual({
			lifetime: 3600,
			lifetimeByLabel: {},
			bulkDelayMs: 200,
			latencyMs: 0,
			authMode: 'any',
			singleSession: false,
		});
		expect((await events(token)).status).toBe(401);
		expect(lastAuth().reason).toBe('unknown');
		expect((await call(sandbox, 'POST', '/session-token', { token: TOKENS.read })).status).toBe(
			200,
		);
		expect((await call(sandbox, 'POST', '/session-token', { token: 'fake-extra' })).status).toBe(
			401,
		);
	});

	test('reset returns to the options the sandbox was started with', async () => {
		const custom = await startSandbox({
			lifetime: 120,
			latencyMs: 1,
			bulkDelayMs: 7,
			authMode: 'bare',
		});
		try {
			custom.control.lifetime({ seconds: 5 });
			custom.reset();
			expect(custom.control.health().settings).toMatchObject({
				lifetime: 120,
				latencyMs: 1,
				bulkDelayMs: 7,
				authMode: 'bare',
			});
		} finally {
			await custom.close();
		}
	});

	test('pending bulk imports are cancelled', async () => {
		const token = await sessionToken(sandbox);
		await call(sandbox, 'POST', '/events/1/participants', {
			token,
			body: [participant({ unique_id: 'LATE' })],
		});
		sandbox.reset();
		await new Promise((resolve) => setTimeout(resolve, 300));
		expect(sandbox.control.participants().items.map((p) => p.unique_id)).not.toContain('LATE');
	});
});

describe('POST /__sandbox/faults', () => {
	test('the next N matching responses get the status, then normal service resumes', async () => {
		const token = await sessionToken(sandbox);
		const res = await control('POST', 'faults', { status: 503, count: 2 });
		expect(res.json.pending).toEqual([
			expect.objectContaining({
				kind: 'status',
				status: 503,
				remaining: 2,
				routes: expect.arrayContaining(['GET /events']),
			}),
		]);
		const first = await events(token);
		expect(first.status).toBe(503);
		expect(first.json).toEqual({ message: 'Service Unavailable' });
		expect((await call(sandbox, 'GET', '/races', { token })).status).toBe(503);
		expect((await events(token)).status).toBe(200);
		expect(sandbox.stats().faultsInjected).toEqual({ total: 2, byKind: { status: 2 } });
		expect(sandbox.control.requests().items.at(-2).fault).toBe('status');
	});

	test('by default the session-token route is spared', async () => {
		sandbox.control.faults({ status: 500, count: 1 });
		const token = await sessionToken(sandbox);
		const res = await events(token);
		expect(res.status).toBe(500);
		expect(res.json).toEqual({ message: 'Server Error' });
	});

	test('routes restricts the fault, and can include the session-token route', async () => {
		sandbox.control.faults({ status: 502, count: 1, routes: ['POST /session-token'] });
		expect((await call(sandbox, 'POST', '/session-token', { token: TOKENS.all })).status).toBe(502);
		const token = await sessionToken(sandbox);
		sandbox.control.faults({ status: 500, count: 1, routes: ['GET /races'] });
		expect((await events(token)).status).toBe(200);
		expect((await call(sandbox, 'GET', '/races', { token })).status).toBe(500);
		expect(sandbox.stats().exchangeFailures).toBe(1);
	});

	test('bodyContains aims a fault at the requests whose body holds that text', async () => {
		const token = await sessionToken(sandbox, TOKENS.write);
		sandbox.control.faults({
			status: 503,
			count: 1,
			routes: ['POST /participant'],
			bodyContains: '"AIMED-1"',
		});
		const other = { token, body: participant({ unique_id: 'OTHER-1' }) };
		const aimed = { token, body: participant({ unique_id: 'AIMED-1' }) };
		expect((await call(sandbox, 'POST', '/participant', other)).status).toBe(200);
		expect((await call(sandbox, 'POST', '/participant', aimed)).status).toBe(503);
		expect((await call(sandbox, 'POST', '/participant', aimed)).status).toBe(200);
		expect(() => sandbox.control.faults({ kind: 'drop', bodyContains: '' })).toThrow(
			'bodyContains must be a non-empty string or null',
		);
	});

	test('label aims a fault at the requests of one connect token, whatever their order', async () => {
		const all = await sessionToken(sandbox, TOKENS.all);
		const event1 = await sessionToken(sandbox, TOKENS.event1);
		sandbox.control.faults({ kind: 'empty-list', label: 'event1' });
		const items = async (token) => (await events(token)).json.data.items.length;
		expect(await items(all)).toBe(3);
		expect(await items(event1)).toBe(0);
		expect(await items(event1)).toBe(1);
		expect(() => sandbox.control.faults({ kind: 'drop', label: '' })).toThrow(
			'label must be a non-empty string or null',
		);
	});

	test('clear-faults drops every pending fault', async () => {
		const token = await sessionToken(sandbox);
		sandbox.control.faults({ kind: 'empty-list', count: 1000 });
		expect((await events(token)).json.data.items).toEqual([]);
		expect((await control('POST', 'clear-faults')).json).toEqual({ ok: true, pending: [] });
		expect((await events(token)).json.data.items).toHaveLength(3);
	});

	test('429 carries Retry-After when given, and not when null', async () => {
		const token = await sessionToken(sandbox);
		sandbox.control.faults({ status: 429, count: 1, retryAfter: 3 });
		sandbox.control.faults({ status: 429, count: 1, retryAfter: null });
		const limited = await events(token);
		expect(limited.status).toBe(429);
		expect(limited.headers.get('retry-after')).toBe('3');
		expect(limited.json).toEqual({ message: 'Too Many Attempts.' });
		const second = await events(token);
		expect(second.status).toBe(429);
		expect(second.headers.get('retry-after')).toBeNull();
	});

	test('faults hit before authentication, like a proxy or rate limiter would', async () => {
		sandbox.control.faults({ status: 503, count: 1 });
		expect((await events(undefined)).status).toBe(503);
	});

	test('drop destroys the connection without a response', async () => {
		const token = await sessionToken(sandbox);
		sandbox.control.faults({ kind: 'drop', count: 1 });
		await expect(
			fetch(`${sandbox.baseUrl}/events`, { headers: { Authorization: token } }),
		).rejects.toThrow();
		expect((await events(token)).status).toBe(200);
		const stats = sandbox.stats();
		expect(stats.dropped).toBe(1);
		expect(
			sandbox.control.requests().items.find((entry) => entry.fault === 'drop').status,
		).toBeNull();
	});

	test('slow delays the response, which is otherwise normal', async () => {
		const token = await sessionToken(sandbox);
		sandbox.control.faults({ kind: 'slow', ms: 150, count: 1 });
		const started = Date.now();
		const res = await events(token);
		expect(Date.now() - started).toBeGreaterThanOrEqual(140);
		expect(res.status).toBe(200);
		expect(res.json.data.items).toHaveLength(3);
	});

	test('malformed answers 200 with JSON that does not parse', async () => {
		const token = await sessionToken(sandbox);
		sandbox.control.faults({ kind: 'malformed', count: 1 });
		const res = await events(token);
		expect(res.status).toBe(200);
		expect(res.headers.get('content-type')).toBe('application/json');
		expect(() => JSON.parse(res.text)).toThrow(SyntaxError);
	});

	test('empty-list answers a list route with a well-formed empty list, once', async () => {
		const token = await sessionToken(sandbox);
		sandbox.control.faults({ kind: 'empty-list', count: 1, routes: ['GET /races'] });
		expect((await events(token)).json.data.items).toHaveLength(3);
		const empty = await call(sandbox, 'GET', '/races', { token });
		expect([empty.status, empty.json]).toEqual([200, { data: { items: [] } }]);
		const next = await call(sandbox, 'GET', '/races', { token });
		expect(next.json.data.items).toHaveLength(5);
		expect(sandbox.stats().faultsInjected.byKind).toEqual({ 'empty-list': 1 });
	});

	test('html answers an HTML error page with the given status (502 by default)', async () => {
		const token = await sessionToken(sandbox);
		sandbox.control.faults({ kind: 'html', count: 1 });
		sandbox.control.faults({ kind: 'html', status: 504, count: 1 });
		const first = await events(token);
		expect(first.status).toBe(502);
		expect(first.headers.get('content-type')).toMatch(/^text\/html/);
		expect(first.text).toContain('<title>502 Bad Gateway</title>');
		expect((await events(token)).status).toBe(504);
	});

	test('redirect answers the given 3xx with Location; the foreign host records what reaches it', async () => {
		const foreign = await startForeignHost();
		try {
			sandbox.control.faults({
				kind: 'redirect',
				status: 308,
				location: `${foreign.origin}/v1/connect/session-token`,
				routes: ['POST /session-token'],
			});
			const moved = await fetch(`${sandbox.baseUrl}/session-token`, {
				method: 'POST',
				headers: { Authorization: TOKENS.all },
				redirect: 'manual',
			});
			expect(moved.status).toBe(308);
			expect(moved.headers.get('location')).toBe(`${foreign.origin}/v1/connect/session-token`);
			expect(sandbox.stats().exchanges.total).toBe(0);
			const there = await fetch(moved.headers.get('location'), {
				method: 'POST',
				headers: { Authorization: TOKENS.all },
			});
			expect((await there.json()).data.token).toBe(FOREIGN_SESSION_TOKEN);
			await fetch(`${foreign.origin}/v1/connect/events`);
			expect(foreign.requests).toEqual([
				{ method: 'POST', path: '/v1/connect/session-token', authorization: true },
				{ method: 'GET', path: '/v1/connect/events', authorization: false },
			]);
			expect(JSON.stringify(foreign.requests)).not.toContain(TOKENS.all);
		} finally {
			await foreign.close();
		}
	});

	test.each([
		[{ kind: 'redirect', status: 200, location: 'http://127.0.0.2/' }, /status must be one of/],
		[{ kind: 'redirect', location: '/relative' }, /location must be an absolute/],
	])('redirect refuses %j', (spec, message) => {
		expect(() => sandbox.control.faults(spec)).toThrow(message);
	});

	test('session-missing-token answers 200 without a token and issues nothing', async () => {
		sandbox.control.faults({ kind: 'session-missing-token', count: 1 });
		const res = await call(sandbox, 'POST', '/session-token', { token: TOKENS.all });
		expect(res.status).toBe(200);
		expect(res.json).toEqual({ data: { expires_at: expect.any(Number) } });
		expect(sandbox.stats().exchanges.total).toBe(0);
		expect(sandbox.stats().exchangeFailures).toBe(1);
	});

	test('session-missing-expires answers a working token without expires_at', async () => {
		sandbox.control.faults({ kind: 'session-missing-expires', count: 1 });
		const res = await call(sandbox, 'POST', '/session-token', { token: TOKENS.all });
		expect(res.json).toEqual({ data: { token: expect.any(String) } });
		expect((await events(res.json.data.token)).status).toBe(200);
		expect(sandbox.stats().exchanges.total).toBe(1);
	});

	test.each([
		[{ status: 200 }, /status/],
		[{ count: 2 }, /status is required/],
		[{ status: 503, count: 0 }, /count/],
		[{ status: 429, retryAfter: -1 }, /retryAfter/],
		[{ kind: 'explode' }, /kind/],
		[{ kind: 'slow' }, /ms/],
		[{ status: 500, routes: ['GET /nope'] }, /routes/],
		[{ kind: 'session-missing-token', routes: ['GET /events'] }, /applies only/],
		[{ kind: 'empty-list', routes: ['POST /participant'] }, /applies only/],
	])('%p → 400', async (body, message) => {
		const res = await control('POST', 'faults', body);
		expect(res.status).toBe(400);
		expect(res.json.error).toMatch(message);
		expect(sandbox.stats().pendingFaults).toEqual([]);
	});
});

describe('POST /__sandbox/latency', () => {
	test('adds a fixed delay to every API request', async () => {
		const res = await control('POST', 'latency', { ms: 120 });
		expect(res.json).toMatchObject({ ok: true, settings: { latencyMs: 120 } });
		const started = Date.now();
		await sessionToken(sandbox);
		expect(Date.now() - started).toBeGreaterThanOrEqual(110);
		expect((await control('POST', 'latency', { ms: -1 })).status).toBe(400);
	});
});

describe('POST /__sandbox/expire-all', () => {
	test('every token issued so far is expired; new ones work', async () => {
		const a = await sessionToken(sandbox, TOKENS.all);
		const b = await sessionToken(sandbox, TOKENS.read);
		expect((await control('POST', 'expire-all')).json).toEqual({ ok: true });
		for (const token of [a, b]) {
			const res = await events(token);
			expect(res.status).toBe(401);
			expect(res.json).toEqual({ message: 'Unauthenticated.' });
			expect(lastAuth()).toMatchObject({ kind: 'session', expired: true, reason: 'expired' });
		}
		expect((await events(await sessionToken(sandbox))).status).toBe(200);
		expect(sandbox.stats().requestsWithExpiredToken).toBe(2);
	});
});

describe('POST /__sandbox/revoke', () => {
	test('the connect token can no longer exchange and its session tokens stop working', async () => {
		const revokedToken = await sessionToken(sandbox, TOKENS.read);
		const otherToken = await sessionToken(sandbox, TOKENS.all);
		expect((await control('POST', 'revoke', { label: 'read' })).json).toEqual({
			ok: true,
			label: 'read',
		});

		const exchange = await call(sandbox, 'POST', '/session-token', { token: TOKENS.read });
		expect(exchange.status).toBe(401);
		expect(lastAuth()).toMatchObject({
			kind: 'connect',
			label: 'read',
			revoked: true,
			reason: 'revoked',
		});
		expect((await events(revokedToken)).status).toBe(401);
		expect(lastAuth()).toMatchObject({ label: 'read', revoked: true, reason: 'revoked' });
		expect((await events(otherToken)).status).toBe(200);
		expect(sandbox.stats().requestsWithRevokedToken).toBe(2);
	});

	test('an unknown label → 404', async () => {
		const res = await control('POST', 'revoke', { label: 'nobody' });
		expect(res.status).toBe(404);
		expect(res.json.error).toMatch(/nobody/);
	});
});

describe('POST /__sandbox/auth-mode', () => {
	test('bare accepts only the bare token', async () => {
		const token = await sessionToken(sandbox);
		expect((await control('POST', 'auth-mode', { mode: 'bare' })).json.settings.authMode).toBe(
			'bare',
		);
		expect((await events(token)).status).toBe(200);
		expect((await events(`Bearer ${token}`)).status).toBe(401);
		expect(lastAuth()).toMatchObject({ kind: 'session', scheme: 'bearer', reason: 'scheme' });
	});

	test('bearer accepts only "Bearer <jwt>"', async () => {
		const token = await sessionToken(sandbox);
		sandbox.control.authMode({ mode: 'bearer' });
		expect((await events(token)).status).toBe(401);
		expect((await events(`Bearer ${token}`)).status).toBe(200);
	});

	test('the connect token stays bare in every mode', async () => {
		sandbox.control.authMode({ mode: 'bearer' });
		expect((await call(sandbox, 'POST', '/session-token', { token: TOKENS.all })).status).toBe(200);
	});

	test('an unknown mode → 400', async () => {
		expect((await control('POST', 'auth-mode', { mode: 'basic' })).status).toBe(400);
	});
});

describe('POST /__sandbox/single-session', () => {
	test('a new session token revokes the earlier ones of the same connect token only', async () => {
		expect(
			(await control('POST', 'single-session', { enabled: true })).json.settings.singleSession,
		).toBe(true);
		const first = await sessionToken(sandbox, TOKENS.all);
		const other = await sessionToken(sandbox, TOKENS.read);
		const second = await sessionToken(sandbox, TOKENS.all);
		expect((await events(first)).status).toBe(401);
		expect(lastAuth()).toMatchObject({ revoked: true, reason: 'revoked' });
		expect((await events(second)).status).toBe(200);
		expect((await events(other)).status).toBe(200);
	});

	test('off by default: several session tokens stay valid', async () => {
		const first = await sessionToken(sandbox);
		await sessionToken(sandbox);
		expect((await events(first)).status).toBe(200);
		expect((await control('POST', 'single-session', { enabled: 'yes' })).status).toBe(400);
	});
});

describe('POST /__sandbox/lifetime', () => {
	const lifetimeOf = async (connect) => {
		const res = await call(sandbox, 'POST', '/session-token', { token: connect });
		const claims = jwt.decode(res.json.data.token);
		expect(res.json.data.expires_at).toBe(claims.exp);
		return claims.exp - claims.iat;
	};

	test('sets the lifetime globally or for one label', async () => {
		expect((await control('POST', 'lifetime', { seconds: 300 })).json.settings.lifetime).toBe(300);
		const res = await control('POST', 'lifetime', { seconds: 30, label: 'read' });
		expect(res.json.settings.lifetimeByLabel).toEqual({ read: 30 });
		expect(await lifetimeOf(TOKENS.all)).toBe(300);
		expect(await lifetimeOf(TOKENS.read)).toBe(30);
	});

	test('lifetime 0 issues tokens that are already expired', async () => {
		sandbox.control.lifetime({ seconds: 0 });
		const res = await events(await sessionToken(sandbox));
		expect(res.status).toBe(401);
		expect(lastAuth().reason).toBe('expired');
	});

	test('bad input → 400, an unknown label → 404', async () => {
		expect((await control('POST', 'lifetime', { seconds: 1.5 })).status).toBe(400);
		expect((await control('POST', 'lifetime', { seconds: 10, label: 'ghost' })).status).toBe(404);
	});
});

describe('POST /__sandbox/connect-tokens', () => {
	test('adds a connect token with permissions and an event scope, without echoing it', async () => {
		const res = await control('POST', 'connect-tokens', {
			token: 'fake-connect-token-runtime',
			label: 'runtime',
			permissions: ['permissions.races.list'],
			events: [2],
			lifetime: 45,
		});
		expect(res.json).toEqual({ ok: true, label: 'runtime' });
		expect(res.text).not.toContain('fake-connect-token-runtime');

		const exchange = await call(sandbox, 'POST', '/session-token', {
			token: 'fake-connect-token-runtime',
		});
		const claims = jwt.decode(exchange.json.data.token);
		expect(claims).toMatchObject({ sub: 'runtime' });
		expect(claims.exp - claims.iat).toBe(45);
		const token = exchange.json.data.token;
		const races = await call(sandbox, 'GET', '/races', { token });
		expect(races.json.data.items.map((race) => race.id)).toEqual([3, 4]);
		expect((await events(token)).status).toBe(403);
	});

	test('replacing a label swaps the token and applies new permissions to issued session tokens', async () => {
		const token = await sessionToken(sandbox, TOKENS.read);
		sandbox.control.connectTokens({
			token: 'fake-connect-token-read-2',
			label: 'read',
			permissions: ['permissions.races.list'],
		});
		expect((await call(sandbox, 'POST', '/session-token', { token: TOKENS.read })).status).toBe(
			401,
		);
		expect(
			(await call(sandbox, 'POST', '/session-token', { token: 'fake-connect-token-read-2' }))
				.status,
		).toBe(200);
		expect((await events(token)).status).toBe(403);
		expect((await call(sandbox, 'GET', '/races', { token })).status).toBe(200);
	});

	test.each([
		[{ label: 'x', permissions: [] }, /token/],
		[{ token: 'fake-x', permissions: [] }, /label/],
		[{ token: 'fake-x', label: 'x', permissions: ['permissions.everything'] }, /permissions/],
		[{ token: 'fake-x', label: 'x', permissions: [], events: [1, 'two'] }, /events/],
		[{ token: 'Bearer fake-x', label: 'x', permissions: [] }, /Bearer/],
		[{ token: TOKENS.all, label: 'x', permissions: [] }, /belongs to label all/],
	])('%p → 400', async (body, message) => {
		const res = await control('POST', 'connect-tokens', body);
		expect(res.status).toBe(400);
		expect(res.json.error).toMatch(message);
	});
});

describe('bulk imports: POST /__sandbox/bulk-delay, GET imports, POST flush-imports', () => {
	test('the delay decides when a queued import is applied; flush applies it now', async () => {
		expect((await control('POST', 'bulk-delay', { ms: 60_000 })).json.settings.bulkDelayMs).toBe(
			60_000,
		);
		const token = await sessionToken(sandbox);
		const res = await call(sandbox, 'POST', '/events/2/participants', {
			token,
			body: [
				participant({ unique_id: 'K-1', race_id: 3 }),
				participant({ unique_id: 'K-2', race_id: 4 }),
			],
		});
		expect((await control('GET', 'imports')).json.items).toEqual([
			{
				import_id: res.json.data.import_id,
				event_id: 2,
				label: 'all',
				count: 2,
				status: 'queued',
				queued_at: expect.any(String),
				applied_at: null,
			},
		]);
		expect(sandbox.control.participants({ event_id: 2 }).count).toBe(1);

		expect((await control('POST', 'flush-imports')).json).toEqual({ ok: true, applied: 1 });
		expect(sandbox.control.participants({ event_id: 2 }).count).toBe(3);
		expect(sandbox.control.imports().items[0]).toMatchObject({
			status: 'applied',
			applied_at: expect.any(String),
		});
		expect(sandbox.stats().bulkImports).toEqual({ queued: 1, applied: 1, pending: 0 });
	});

	test('a zero delay applies on the next tick', async () => {
		sandbox.control.bulkDelay({ ms: 0 });
		const token = await sessionToken(sandbox);
		await call(sandbox, 'POST', '/events/3/participants', {
			token,
			body: [participant({ race_id: 5 })],
		});
		await waitFor(() => sandbox.control.participants({ event_id: 3 }).count === 1, 500);
	});
});

describe('GET /__sandbox/participants', () => {
	test('lists all stored participants or those of one event', async () => {
		const all = await control('GET', 'participants');
		expect(all.json.count).toBe(4);
		expect(all.json.items[0]).toMatchObject({
			id: 1,
			unique_id: 'AMS-0001',
			full_name: 'Anna de Vries',
			event_id: 1,
		});
		const one = await call(sandbox, 'GET', '/__sandbox/participants?event_id=2');
		expect(one.json.items.map((p) => p.unique_id)).toEqual(['UCC_12']);
		expect((await call(sandbox, 'GET', '/__sandbox/participants?event_id=99')).json).toEqual({
			items: [],
			count: 0,
		});
		expect((await call(sandbox, 'GET', '/__sandbox/participants?event_id=x')).status).toBe(400);
	});
});

describe('control endpoint errors', () => {
	test('an unknown control endpoint → 404 JSON', async () => {
		const res = await control('GET', 'nope');
		expect(res.status).toBe(404);
		expect(res.json.error).toMatch(/nope/);
	});

	test('a body that is not a JSON object → 400', async () => {
		expect((await call(sandbox, 'POST', '/__sandbox/latency', { rawBody: '{' })).status).toBe(400);
		expect((await call(sandbox, 'POST', '/__sandbox/revoke', { rawBody: 'null' })).status).toBe(
			400,
		);
	});
});

describe('startSandbox', () => {
	test('rejects invalid options', async () => {
		await expect(startSandbox({ lifetime: -1 })).rejects.toThrow(/lifetime/);
		await expect(startSandbox({ authMode: 'jwt' })).rejects.toThrow(/authMode/);
	});

	test('accepts a custom seed and binds 127.0.0.1 only', async () => {
		const custom = await startSandbox({
			seed: {
				events: [
					{
						id: 7,
						name: 'Solo',
						created_at: '2025-01-01 00:00:00',
						updated_at: '2025-01-01 00:00:00',
					},
				],
				races: [],
				participants: [],
				connectTokens: [
					{
						token: 'fake-solo',
						label: 'solo',
						permissions: ['permissions.events.list'],
						events: null,
					},
				],
			},
		});
		try {
			expect(custom.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
			const res = await call(custom, 'GET', '/events', {
				token: await sessionToken(custom, 'fake-solo'),
			});
			expect(res.json.data.items.map((event) => event.name)).toEqual(['Solo']);
		} finally {
			await custom.close();
		}
	});

	test('close() stops listening, even with keep-alive connections open', async () => {
		const temp = await startSandbox();
		await sessionToken(temp);
		await temp.close();
		await expect(fetch(`${temp.baseUrl}/events`)).rejects.toThrow();
	});
});
