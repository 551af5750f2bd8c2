import { NodeApiError } from 'n8n-workflow';
import nock from 'nock';

import {
	ForeignHostError,
	StaleSessionTokenError,
	TracxConnectApi,
} from '../../credentials/TracxConnectApi.credentials';
import { MESSAGES } from '../../nodes/Tracx/shared/exchange';
import { fingerprintOf } from '../../nodes/Tracx/shared/session';
import { BASE_URL, CONNECT_TOKEN, send, fakeSessionToken } from './support/fake-n8n';
import { useNock } from './support/tracx-mock';

jest.mock('n8n-workflow', () => ({
	...jest.requireActual('n8n-workflow'),
	sleep: jest.fn(async () => {}),
}));

const credential = new TracxConnectApi();
const api = () => nock('https://api.tracx.test');
const now = () => Math.floor(Date.now() / 1000);

async function exchange(data: Record<string, unknown>) {
	return await credential.preAuthentication.call(
		{ helpers: { httpRequest: send } } as never,
		data as never,
	);
}

async function exchangeError(
	data: Record<string, unknown>,
): Promise<Error & { description?: string }> {
	try {
		await exchange(data);
	} catch (error) {
		return error as Error & { description?: string };
	}
	throw new Error('the exchange was expected to fail');
}

useNock();
afterEach(() => expect(nock.pendingMocks()).toEqual([]));

describe('public shape', () => {
	it('keeps the stored names stable', () => {
		expect(credential.name).toBe('tracxConnectApi');
		expect(credential.displayName).toBe('Tracx Connect API');
		const byName = Object.fromEntries(credential.properties.map((p) => [p.name, p]));
		expect(byName.connectToken).toMatchObject({
			type: 'string',
			typeOptions: { password: true },
			required: true,
		});
		expect(byName.baseUrl.default).toBe('https://api.tracx.events/v1/connect');
		expect(byName.authorizationHeaderFormat.default).toBe('bare');
		expect(byName.sessionToken).toMatchObject({
			type: 'hidden',
			typeOptions: { expirable: true, password: true },
		});
		for (const hidden of ['sessionExpiresAt', 'sessionIssuedAt', 'sessionFingerprint']) {
			expect(byName[hidden].type).toBe('hidden');
		}
		// n8n uses the FIRST expirable hidden field: it must be the session token
		expect(credential.properties.find((p) => p.typeOptions?.expirable)?.name).toBe('sessionToken');
	});
});

describe('preAuthentication (the exchange)', () => {
	it('sends the bare connect token to POST {baseUrl}/session-token and returns what n8n stores', async () => {
		const expiresAt = now() + 3600;
		api()
			.post('/v1/connect/session-token')
			.matchHeader('authorization', CONNECT_TOKEN)
			.reply(200, { data: { token: fakeSessionToken(1), expires_at: expiresAt } });
		const stored = await exchange({ connectToken: CONNECT_TOKEN, baseUrl: `${BASE_URL}//` });
		expect(stored).toEqual({
			sessionToken: fakeSessionToken(1),
			sessionExpiresAt: expiresAt,
			sessionIssuedAt: expect.any(Number),
			sessionFingerprint: fingerprintOf(CONNECT_TOKEN, BASE_URL),
		});
		expect(Math.abs((stored.sessionIssuedAt as number) - now())).toBeLessThanOrEqual(2);
	});

	it.each([401, 403])(
		'explains a rejected connect token (%i) without echoing it',
		async (status) => {
			api()
				.post('/v1/connect/session-token')
				.reply(status, { message: `Unauthenticated. ${CONNECT_TOKEN}` });
			const error = await exchangeError({ connectToken: CONNECT_TOKEN, baseUrl: BASE_URL });
			expect(error.message).toBe(MESSAGES.rejected);
			expect(error.message).toBe(
				'Tracx did not accept the connect token — check it in the Tracx Dashboard',
			);
			expect(JSON.stringify({ m: error.message, d: error.description })).not.toContain(
				CONNECT_TOKEN,
			);
		},
	);

	it('keeps its message when n8n wraps it in a NodeApiError (credential test, HTTP Request node)', async () => {
		api().post('/v1/connect/session-token').reply(401, { message: 'Unauthenticated.' });
		const error = await exchangeError({ connectToken: CONNECT_TOKEN, baseUrl: BASE_URL });
		const wrapped = new NodeApiError(
			{
				id: '1',
				name: 'Temp-Node',
				type: 'n8n-nodes-base.noOp',
				typeVersion: 1,
				position: [0, 0],
				parameters: {},
			},
			error as never,
		);
		expect(wrapped.message).toBe(MESSAGES.rejected);
	});

	it('explains a wrong base URL (404)', async () => {
		api().post('/v1/connect/session-token').reply(404, 'Not found');
		const error = await exchangeError({ connectToken: CONNECT_TOKEN, baseUrl: BASE_URL });
		expect(error.message).toBe(MESSAGES.notFound);
	});

	it('explains an unreachable host', async () => {
		api()
			.post('/v1/connect/session-token')
			.replyWithError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
		const error = await exchangeError({ connectToken: CONNECT_TOKEN, baseUrl: BASE_URL });
		expect(error.message).toBe(`${MESSAGES.unreachable} at api.tracx.test: connection refused`);
		expect(error.description).toContain('ECONNREFUSED');
	});

	it.each([
		[{ data: { expires_at: 1 } }, 'data.token'],
		[{ data: { token: fakeSessionToken(1) } }, 'data.expires_at'],
		[{ token: fakeSessionToken(1), expires_at: 1 }, 'data.token and data.expires_at'],
		['<html>login</html>', 'data.token and data.expires_at'],
	])('refuses a response that is not a session token: %j', async (body, missing) => {
		api()
			.post('/v1/connect/session-token')
			.reply(200, body as never);
		const error = await exchangeError({ connectToken: CONNECT_TOKEN, baseUrl: BASE_URL });
		expect(error.message).toBe(MESSAGES.notASessionToken);
		expect(error.description).toContain(missing);
	});

	it('refuses a session token that is already expired', async () => {
		api()
			.post('/v1/connect/session-token')
			.reply(200, { data: { token: fakeSessionToken(1), expires_at: now() - 10 } });
		const error = await exchangeError({ connectToken: CONNECT_TOKEN, baseUrl: BASE_URL });
		expect(error.message).toBe(MESSAGES.alreadyExpired);
	});

	it('retries a transient failure a bounded number of times', async () => {
		api().post('/v1/connect/session-token').times(2).reply(503, 'busy');
		api()
			.post('/v1/connect/session-token')
			.reply(200, { data: { token: fakeSessionToken(2), expires_at: now() + 60 } });
		expect((await exchange({ connectToken: CONNECT_TOKEN, baseUrl: BASE_URL })).sessionToken).toBe(
			fakeSessionToken(2),
		);

		api().post('/v1/connect/session-token').times(4).reply(500, 'down');
		const error = await exchangeError({ connectToken: CONNECT_TOKEN, baseUrl: BASE_URL });
		expect(error.message).toBe(MESSAGES.unavailable);
	});

	it('sends nothing when the base URL is refused or the token is empty', async () => {
		await expect(
			exchange({ connectToken: CONNECT_TOKEN, baseUrl: 'http://api.tracx.test/v1/connect' }),
		).rejects.toThrow(/must use https/);
		await expect(exchange({ connectToken: '  ', baseUrl: BASE_URL })).rejects.toThrow(
			MESSAGES.noConnectToken,
		);
	});
});

describe('authenticate', () => {
	const issued = () => ({
		connectToken: CONNECT_TOKEN,
		baseUrl: BASE_URL,
		authorizationHeaderFormat: 'bare',
		sessionToken: fakeSessionToken(1),
		sessionExpiresAt: now() + 3600,
		sessionIssuedAt: now(),
		sessionFingerprint: fingerprintOf(CONNECT_TOKEN, BASE_URL),
	});

	it('attaches a fresh session token, bare by default or as Bearer', async () => {
		const bare = await credential.authenticate(issued(), { url: `${BASE_URL}/events` });
		expect(bare.headers).toMatchObject({ Authorization: fakeSessionToken(1) });
		const bearer = await credential.authenticate(
			{ ...issued(), authorizationHeaderFormat: 'bearer' },
			{ url: `${BASE_URL}/events`, headers: { 'X-Other': '1' } },
		);
		expect(bearer.headers).toEqual({
			'X-Other': '1',
			Accept: 'application/json',
			Authorization: `Bearer ${fakeSessionToken(1)}`,
		});
	});

	it.each([
		['missing', { sessionToken: '' }],
		['expired', { sessionExpiresAt: now() + 30, sessionIssuedAt: now() - 3570 }],
		['foreign', { connectToken: 'fake-connect-token-edited' }],
		['foreign', { baseUrl: 'https://other.tracx.test/v1/connect' }],
	])('refuses to send a %s session token and asks n8n to refresh (401)', async (state, change) => {
		const data = { ...issued(), ...change };
		const target = `${(change as { baseUrl?: string }).baseUrl ?? BASE_URL}/events`;
		const error = await credential.authenticate(data, { url: target }).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(StaleSessionTokenError);
		expect((error as StaleSessionTokenError).state).toBe(state);
		expect((error as StaleSessionTokenError).response.status).toBe(401);
	});

	it('never sends the session token to another host', async () => {
		for (const url of [
			'https://evil.example/v1/connect/events',
			'http://api.tracx.test/v1/connect/events',
			'not a url',
		]) {
			await expect(credential.authenticate(issued(), { url })).rejects.toBeInstanceOf(
				ForeignHostError,
			);
		}
	});

	it('joins baseURL and url like the HTTP client before checking the host', async () => {
		const options = await credential.authenticate(issued(), {
			baseURL: `${BASE_URL}/`,
			url: '/races',
		});
		expect(options.headers).toMatchObject({ Authorization: fakeSessionToken(1) });
	});

	it('sends the connect token only to the exchange endpoint (the credential test)', async () => {
		const options = await credential.authenticate(
			{ ...issued(), sessionToken: '' },
			{ baseURL: BASE_URL, url: '/session-token', method: 'POST' },
		);
		expect(options.headers).toMatchObject({ Authorization: CONNECT_TOKEN });
	});
});

describe('credential test', () => {
	it('exercises the exchange endpoint, which every valid connect token may call', () => {
		expect(credential.test.request).toMatchObject({
			method: 'POST',
			url: '/session-token',
			baseURL: '={{ $credentials.baseUrl }}',
		});
		expect(credential.test.rules).toEqual(
			expect.arrayContaining([
				{ type: 'responseCode', properties: { value: 401, message: MESSAGES.rejected } },
				{ type: 'responseCode', properties: { value: 404, message: MESSAGES.notFound } },
			]),
		);
	});
});
