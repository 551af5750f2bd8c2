'use strict';

// The API these tests hold the sandbox to: TRACX-CONNECT-API.md in this folder.

const { startSandbox } = require('./server');
const jwt = require('./jwt');
const { TOKENS, call, sessionToken, participant, waitFor } = require('./test-helpers');

const UNAUTHENTICATED = { message: 'Unauthenticated.' };
const UNAUTHORIZED = { message: 'This action is unauthorized.' };

let sandbox;
beforeAll(async () => {
	sandbox = await startSandbox({ bulkDelayMs: 50 });
});
afterEach(() => sandbox.reset());
afterAll(() => sandbox.close());

const lastLogEntry = () => sandbox.control.requests().items.at(-1);

describe('POST /session-token', () => {
	test('issues an HS256 JWT with sub = label, a jti, iat and exp = iat + 3600', async () => {
		const before = Math.floor(Date.now() / 1000);
		const res = await call(sandbox, 'POST', '/session-token', { token: TOKENS.read });
		expect(res.status).toBe(200);
		expect(res.headers.get('content-type')).toBe('application/json');
		expect(Object.keys(res.json)).toEqual(['data']);
		expect(Object.keys(res.json.data)).toEqual(['token', 'expires_at']);

		const { token, expires_at: expiresAt } = res.json.data;
		const claims = jwt.decode(token);
		expect(Object.keys(claims).sort()).toEqual(['exp', 'iat', 'jti', 'sub']);
		expect(claims.sub).toBe('read');
		expect(claims.iat).toBeGreaterThanOrEqual(before);
		expect(claims.exp).toBe(claims.iat + 3600);
		expect(expiresAt).toBe(claims.exp);
		expect(JSON.parse(Buffer.from(token.split('.')[0], 'base64url'))).toEqual({
			alg: 'HS256',
			typ: 'JWT',
		});
		expect(token).not.toContain(TOKENS.read);
	});

	test('every session token has its own jti', async () => {
		const first = jwt.decode(await sessionToken(sandbox));
		const second = jwt.decode(await sessionToken(sandbox));
		expect(first.jti).not.toBe(second.jti);
	});

	test.each([
		['an unknown connect token', 'fake-connect-token-nope'],
		['no Authorization header', undefined],
		['an empty Authorization header', ''],
		['the connect token with a Bearer prefix (the docs show it bare)', `Bearer ${TOKENS.all}`],
	])('%s → 401', async (_, token) => {
		const res = await call(sandbox, 'POST', '/session-token', { token });
		expect(res.status).toBe(401);
		expect(res.json).toEqual(UNAUTHENTICATED);
	});

	test('the lifetime option sets exp', async () => {
		const other = await startSandbox({ lifetime: 90 });
		try {
			const res = await call(other, 'POST', '/session-token', { token: TOKENS.all });
			const claims = jwt.decode(res.json.data.token);
			expect(claims.exp - claims.iat).toBe(90);
		} finally {
			await other.close();
		}
	});
});

describe('session token authentication', () => {
	test('bare and Bearer are both accepted in the default mode', async () => {
		const token = await sessionToken(sandbox);
		expect((await call(sandbox, 'GET', '/events', { token })).status).toBe(200);
		expect(lastLogEntry().auth.scheme).toBe('bare');
		expect((await call(sandbox, 'GET', '/events', { token: `Bearer ${token}` })).status).toBe(200);
		expect(lastLogEntry().auth.scheme).toBe('bearer');
	});

	test.each([
		['missing', undefined, 'none', 'missing'],
		['garbage', 'not-a-jwt', 'invalid', 'malformed'],
		['the connect token itself', TOKENS.all, 'invalid', 'connect-token'],
	])('%s → 401', async (_, token, kind, reason) => {
		const res = await call(sandbox, 'GET', '/events', { token });
		expect(res.status).toBe(401);
		expect(res.json).toEqual(UNAUTHENTICATED);
		expect(lastLogEntry().auth).toMatchObject({ kind, reason });
	});

	test('a token with a forged payload → 401', async () => {
		const [header, , signature] = (await sessionToken(sandbox)).split('.');
		const claims = Buffer.from(
			JSON.stringify({ sub: 'all', jti: 'x', iat: 1, exp: 9999999999 }),
		).toString('base64url');
		const res = await call(sandbox, 'GET', '/events', {
			token: `${header}.${claims}.${signature}`,
		});
		expect(res.status).toBe(401);
		expect(lastLogEntry().auth).toMatchObject({ kind: 'invalid', reason: 'signature' });
	});

	test('a token from another sandbox (another signing key) → 401', async () => {
		const other = await startSandbox();
		try {
			const foreign = await sessionToken(other);
			expect((await call(sandbox, 'GET', '/events', { token: foreign })).status).toBe(401);
		} finally {
			await other.close();
		}
	});

	test('a correctly signed token that was never issued → 401', async () => {
		const other = await startSandbox({ secret: 'shared' });
		const same = await startSandbox({ secret: 'shared' });
		try {
			const token = await sessionToken(other);
			expect((await call(same, 'GET', '/events', { token })).status).toBe(401);
			expect(same.control.requests().items.at(-1).auth).toMatchObject({
				kind: 'invalid',
				reason: 'unknown',
			});
		} finally {
			await Promise.all([other.close(), same.close()]);
		}
	});

	test('a token expires when the clock passes exp', async () => {
		let offsetMs = 0;
		const clocked = await startSandbox({ lifetime: 60, now: () => Date.now() + offsetMs });
		try {
			const token = await sessionToken(clocked);
			offsetMs = 59_000;
			expect((await call(clocked, 'GET', '/events', { token })).status).toBe(200);
			offsetMs = 61_000;
			const res = await call(clocked, 'GET', '/events', { token });
			expect(res.status).toBe(401);
			expect(res.json).toEqual(UNAUTHENTICATED);
			expect(clocked.control.requests().items.at(-1).auth).toMatchObject({
				expired: true,
				reason: 'expired',
			});
			expect(clocked.stats().requestsWithExpiredToken).toBe(1);
		} finally {
			await clocked.close();
		}
	});
});

describe('GET /events', () => {
	test('lists the seeded events in the documented shape', async () => {
		const res = await call(sandbox, 'GET', '/events', { token: await sessionToken(sandbox) });
		expect(res.status).toBe(200);
		expect(res.json.data.items).toHaveLength(3);
		expect(res.json.data.items[0]).toEqual({
			id: 1,
			name: 'Amsterdam City Run 2025',
			created_at: '2025-02-25 09:45:32',
			updated_at: '2025-02-25 09:45:32',
		});
		for (const event of res.json.data.items) {
			expect(event.created_at).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
		}
	});

	test('needs permissions.events.list', async () => {
		const res = await call(sandbox, 'GET', '/events', {
			token: await sessionToken(sandbox, TOKENS.write),
		});
		expect(res.status).toBe(403);
		expect(res.json).toEqual(UNAUTHORIZED);
	});

	test('a token scoped to event 1 sees only event 1', async () => {
		const res = await call(sandbox, 'GET', '/events', {
			token: await sessionToken(sandbox, TOKENS.event1),
		});
		expect(res.json.data.items.map((event) => event.id)).toEqual([1]);
	});
});

describe('GET /races', () => {
	let token;
	beforeEach(async () => {
		token = await sessionToken(sandbox, TOKENS.read);
	});

	test('lists every race with event_id', async () => {
		const res = await call(sandbox, 'GET', '/races', { token });
		expect(res.status).toBe(200);
		expect(res.json.data.items.map((race) => [race.id, race.event_id])).toEqual([
			[1, 1],
			[2, 1],
			[3, 2],
			[4, 2],
			[5, 3],
		]);
		expect(Object.keys(res.json.data.items[0])).toEqual([
			'id',
			'event_id',
			'name',
			'created_at',
			'updated_at',
		]);
	});

	test('event_id filters to that event', async () => {
		const res = await call(sandbox, 'GET', '/races?event_id=1', { token });
		expect(res.json.data.items.map((race) => race.name)).toEqual(['10 km', 'Half marathon']);
	});

	test('an unknown event gives an empty list', async () => {
		const res = await call(sandbox, 'GET', '/races?event_id=999', { token });
		expect(res.status).toBe(200);
		expect(res.json).toEqual({ data: { items: [] } });
	});

	test('an empty event_id is ignored', async () => {
		const res = await call(sandbox, 'GET', '/races?event_id=', { token });
		expect(res.json.data.items).toHaveLength(5);
	});

	test.each(['abc', '1.5', '01'])('event_id=%s → 422', async (value) => {
		const res = await call(sandbox, 'GET', `/races?event_id=${value}`, { token });
		expect(res.status).toBe(422);
		expect(res.json).toEqual({
			message: 'The event id field must be an integer.',
			errors: { event_id: ['The event id field must be an integer.'] },
		});
	});

	test('the event scope is intersected: outside it is an empty list, not an error', async () => {
		const scoped = await sessionToken(sandbox, TOKENS.event1);
		const outside = await call(sandbox, 'GET', '/races?event_id=2', { token: scoped });
		expect(outside.status).toBe(200);
		expect(outside.json.data.items).toEqual([]);
		const unfiltered = await call(sandbox, 'GET', '/races', { token: scoped });
		expect(unfiltered.json.data.items.map((race) => race.id)).toEqual([1, 2]);
	});

	test('needs permissions.races.list', async () => {
		const res = await call(sandbox, 'GET', '/races', {
			token: await sessionToken(sandbox, TOKENS.write),
		});
		expect(res.status).toBe(403);
		expect(res.json).toEqual(UNAUTHORIZED);
	});
});

describe('POST /participant', () => {
	let token;
	beforeEach(async () => {
		token = await sessionToken(sandbox, TOKENS.write);
	});

	test('creates a participant and answers with the stored record', async () => {
		const res = await call(sandbox, 'POST', '/participant', {
			token,
			body: participant({
				race_id: '2',
				country_code: 'nl',
				gender: 'female',
				nickname: 'ignored',
			}),
		});
		expect(res.status).toBe(200);
		const data = res.json.data;
		expect(Object.keys(data)).toEqual([
			'id',
			'unique_id',
			'start_number',
			'chip_code',
			'event_id',
			'race_id',
			'first_name',
			'last_name',
			'full_name',
			'date_of_birth',
			'country_code',
			'team_name',
			'gender',
			'state',
			'created_at',
			'updated_at',
		]);
		expect(data).toMatchObject({
			id: 5,
			unique_id: 'P-1',
			event_id: 1,
			race_id: 2,
			full_name: 'Eva Bakker',
			country_code: 'nl',
			team_name: null,
			gender: 'female',
			state: null,
		});
		expect(data.created_at).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
		expect(sandbox.control.participants({ event_id: 1 }).items.map((p) => p.unique_id)).toContain(
			'P-1',
		);
		expect(sandbox.stats().participants.stored).toBe(5);
	});

	test('upserts by unique_id within the event, keeping fields left out', async () => {
		const created = await call(sandbox, 'POST', '/participant', {
			token,
			body: participant({ team_name: 'Fast', gender: 'female' }),
		});
		const updated = await call(sandbox, 'POST', '/participant', {
			token,
			body: participant({ race_id: 2, first_name: 'Evi', chip_code: '0000999' }),
		});
		expect(updated.status).toBe(200);
		expect(updated.json.data).toMatchObject({
			id: created.json.data.id,
			race_id: 2,
			first_name: 'Evi',
			full_name: 'Evi Bakker',
			chip_code: '0000999',
			team_name: 'Fast',
			gender: 'female',
			created_at: created.json.data.created_at,
		});
		expect(sandbox.stats().participants.stored).toBe(5);
	});

	test('updates a seeded participant', async () => {
		const res = await call(sandbox, 'POST', '/participant', {
			token,
			body: participant({ unique_id: 'AMS-0001', first_name: 'Anne', last_name: 'de Vries' }),
		});
		expect(res.json.data).toMatchObject({
			id: 1,
			first_name: 'Anne',
			team_name: 'Rotterdam Runners',
			country_code: 'NL',
		});
	});

	test('the same unique_id in another event is another participant', async () => {
		const a = await call(sandbox, 'POST', '/participant', {
			token,
			body: participant({ race_id: 1 }),
		});
		const b = await call(sandbox, 'POST', '/participant', {
			token,
			body: participant({ race_id: 3 }),
		});
		expect(b.json.data.id).not.toBe(a.json.data.id);
		expect(b.json.data.event_id).toBe(2);
		expect(sandbox.stats().participants.byEvent).toMatchObject({ 1: 4, 2: 2 });
	});

	test('invalid fields → 422 with Laravel-style message and errors', async () => {
		const res = await call(sandbox, 'POST', '/participant', {
			token,
			body: participant({ chip_code: '123', gender: 'x', date_of_birth: '2023-02-30' }),
		});
		expect(res.status).toBe(422);
		expect(res.json).toEqual({
			message: 'The date of birth field must match the format Y-m-d. (and 2 more errors)',
			errors: {
				date_of_birth: ['The date of birth field must match the format Y-m-d.'],
				chip_code: ['The chip code field must be 7 characters.'],
				gender: ['The selected gender is invalid.'],
			},
		});
		expect(sandbox.stats().participants.stored).toBe(4);
	});

	test('an unknown race → 422 "The selected race id is invalid."', async () => {
		const res = await call(sandbox, 'POST', '/participant', {
			token,
			body: participant({ race_id: 42 }),
		});
		expect(res.status).toBe(422);
		expect(res.json).toEqual({
			message: 'The selected race id is invalid.',
			errors: { race_id: ['The selected race id is invalid.'] },
		});
	});

	test('invalid JSON → 400 with a message', async () => {
		const res = await call(sandbox, 'POST', '/participant', { token, rawBody: '{"unique_id": ' });
		expect(res.status).toBe(400);
		expect(res.json).toEqual({ message: 'The request body is not valid JSON.' });
	});

	test("a race outside the token's event scope → 403 and nothing stored", async () => {
		const scoped = await sessionToken(sandbox, TOKENS.event1);
		expect(
			(
				await call(sandbox, 'POST', '/participant', {
					token: scoped,
					body: participant({ race_id: 2 }),
				})
			).status,
		).toBe(200);
		const res = await call(sandbox, 'POST', '/participant', {
			token: scoped,
			body: participant({ race_id: 3, unique_id: 'Q' }),
		});
		expect(res.status).toBe(403);
		expect(res.json).toEqual(UNAUTHORIZED);
		expect(sandbox.control.participants({ event_id: 2 }).count).toBe(1);
	});

	test('needs permissions.participants.store (checked before the body)', async () => {
		const res = await call(sandbox, 'POST', '/participant', {
			token: await sessionToken(sandbox, TOKENS.read),
			rawBody: 'not json',
		});
		expect(res.status).toBe(403);
	});
});

describe('POST /events/{event_id}/participants', () => {
	let token;
	beforeEach(async () => {
		token = await sessionToken(sandbox, TOKENS.write);
	});

	test('queues the import and applies it after the bulk delay', async () => {
		const body = [
			participant({ unique_id: 'B-1' }),
			participant({ unique_id: 'B-2', race_id: 2, start_number: 'x' }),
		];
		const res = await call(sandbox, 'POST', '/events/1/participants', { token, body });
		expect(res.status).toBe(200);
		expect(res.json).toEqual({ data: { queued: 2, import_id: 'import-1' } });
		expect(sandbox.control.participants({ event_id: 1 }).count).toBe(3);
		expect(sandbox.stats().bulkImports).toEqual({ queued: 1, applied: 0, pending: 1 });

		await waitFor(() => sandbox.stats().bulkImports.applied === 1);
		const stored = sandbox.control.participants({ event_id: 1 }).items;
		expect(stored.map((p) => p.unique_id)).toEqual(expect.arrayContaining(['B-1', 'B-2']));
		expect(stored.find((p) => p.unique_id === 'B-2')).toMatchObject({
			race_id: 2,
			start_number: 'x',
			event_id: 1,
		});
	});

	test('upserts: existing unique_ids are updated, the last duplicate wins', async () => {
		const body = [
			participant({ unique_id: 'AMS-0002', first_name: 'Bram', last_name: 'Janssen' }),
			participant({ unique_id: 'D', first_name: 'First' }),
			participant({ unique_id: 'D', first_name: 'Second' }),
		];
		expect((await call(sandbox, 'POST', '/events/1/participants', { token, body })).status).toBe(
			200,
		);
		sandbox.control.flushImports();
		const byId = new Map(
			sandbox.control.participants({ event_id: 1 }).items.map((p) => [p.unique_id, p]),
		);
		expect(byId.size).toBe(4);
		expect(byId.get('AMS-0002')).toMatchObject({ id: 2, last_name: 'Janssen', country_code: 'NL' });
		expect(byId.get('D').first_name).toBe('Second');
	});

	test('one invalid element → 422 keyed by index, nothing queued', async () => {
		const body = [
			participant(),
			participant({ unique_id: 'P-2', chip_code: '12' }),
			participant({ unique_id: 'P 3' }),
		];
		const res = await call(sandbox, 'POST', '/events/1/participants', { token, body });
		expect(res.status).toBe(422);
		expect(res.json).toEqual({
			message:
				'The 2.unique_id field must only contain letters, numbers, dashes, and underscores. (and 1 more error)',
			errors: {
				'2.unique_id': [
					'The 2.unique_id field must only contain letters, numbers, dashes, and underscores.',
				],
				'1.chip_code': ['The 1.chip_code field must be 7 characters.'],
			},
		});
		expect(sandbox.stats().bulkImports.queued).toBe(0);
	});

	test('a race of another event → 422', async () => {
		const res = await call(sandbox, 'POST', '/events/1/participants', {
			token,
			body: [participant({ race_id: 3 })],
		});
		expect(res.status).toBe(422);
		expect(res.json.errors).toEqual({ '0.race_id': ['The selected 0.race_id is invalid.'] });
	});

	test.each(['999', 'abc'])('event %s → 404 "Event not found."', async (eventId) => {
		const res = await call(sandbox, 'POST', `/events/${eventId}/participants`, {
			token,
			body: [participant()],
		});
		expect(res.status).toBe(404);
		expect(res.json).toEqual({ message: 'Event not found.' });
	});

	test('a body that is not an array → 422', async () => {
		const res = await call(sandbox, 'POST', '/events/1/participants', {
			token,
			body: participant(),
		});
		expect(res.status).toBe(422);
		expect(res.json.errors).toHaveProperty('participants');
	});

	test('invalid JSON → 400', async () => {
		const res = await call(sandbox, 'POST', '/events/1/participants', { token, rawBody: '[{' });
		expect(res.status).toBe(400);
		expect(res.json.message).toMatch(/not valid JSON/);
	});

	test("an event outside the token's scope → 403", async () => {
		const scoped = await sessionToken(sandbox, TOKENS.event1);
		const res = await call(sandbox, 'POST', '/events/2/participants', {
			token: scoped,
			body: [participant({ race_id: 3 })],
		});
		expect(res.status).toBe(403);
		expect(res.json).toEqual(UNAUTHORIZED);
	});

	test('needs permissions.participants.store-multiple', async () => {
		sandbox.control.connectTokens({
			token: 'fake-connect-token-single',
			label: 'single',
			permissions: ['permissions.participants.store'],
		});
		const single = await sessionToken(sandbox, 'fake-connect-token-single');
		expect(
			(
				await call(sandbox, 'POST', '/events/1/participants', {
					token: single,
					body: [participant()],
				})
			).status,
		).toBe(403);
		expect(
			(await call(sandbox, 'POST', '/participant', { token: single, body: participant() })).status,
		).toBe(200);
	});
});

describe('request bodies', () => {
	test('a body over 64 MiB → 413 JSON', async () => {
		const token = await sessionToken(sandbox);
		const res = await call(sandbox, 'POST', '/events/1/participants', {
			token,
			rawBody: Buffer.alloc(64 * 1024 * 1024 + 1, 0x20),
		});
		expect(res.status).toBe(413);
		expect(res.json).toEqual({ message: 'The request body is too large.' });
	});
});

describe('unknown routes', () => {
	test('an unknown path → 404 JSON', async () => {
		const res = await call(sandbox, 'GET', '/nope', { token: await sessionToken(sandbox) });
		expect(res.status).toBe(404);
		expect(res.json).toEqual({ message: 'The route v1/connect/nope could not be found.' });
		expect(lastLogEntry().route).toBe('unmatched');
	});

	test('a path outside the base → 404 JSON', async () => {
		const res = await fetch(`${sandbox.origin}/v2/events`);
		expect(res.status).toBe(404);
		expect(await res.json()).toEqual({ message: 'The route v2/events could not be found.' });
	});

	test('a known path with another method → 405 JSON naming the allowed method', async () => {
		const res = await call(sandbox, 'GET', '/session-token');
		expect(res.status).toBe(405);
		expect(res.json.message).toBe(
			'The GET method is not supported for route v1/connect/session-token. Supported methods: POST.',
		);
	});
});
