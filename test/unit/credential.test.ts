import { NodeApiError, type IHttpRequestOptions } from 'n8n-workflow';
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

	it('retries a transient failure briefly: 3 attempts, then it fails', async () => {
		api().post('/v1/connect/session-token').times(2).reply(503, 'busy');
		api()
			.post('/v1/connect/session-token')
			.reply(200, { data: { token: fakeSessionToken(2), expires_at: now() + 60 } });
		expect((await exchange({ connectToken: CONNECT_TOKEN, baseUrl: BASE_URL })).sessionToken).toBe(
			fakeSessionToken(2),
		);

		api().post('/v1/connect/session-token').times(3).reply(500, 'down');
		const error = await exchangeError({ connectToken: CONNECT_TOKEN, baseUrl: BASE_URL });
		expect(error.message).toBe(MESSAGES.unavailable);
	});

	it('does not wait for a Retry-After over 5 s: other executions are waiting for it', async () => {
		api().post('/v1/connect/session-token').reply(503, 'busy', { 'Retry-After': '6' });
		const error = await exchangeError({ connectToken: CONNECT_TOKEN, baseUrl: BASE_URL });
		expect(error.message).toBe(MESSAGES.unavailable);
	});

	describe.each([301, 302, 307, 308])('a redirect (%i)', (status) => {
		it.each([
			['another host', 'https://collector.example.test', 'https://collector.example.test'],
			['plain http on the same host', 'http://api.tracx.test', 'http://api.tracx.test'],
		])('to %s is not followed: nothing is sent there or returned', async (_, origin, shown) => {
			api()
				.post('/v1/connect/session-token')
				.reply(status, '', {
					Location: `${origin}/v1/connect/session-token?echo=${CONNECT_TOKEN}`,
				});
			const elsewhere = nock(origin)
				.post(/.*/)
				.reply(200, { data: { token: 'fake-foreign-token', expires_at: now() + 3600 } });
			const error = await exchangeError({ connectToken: CONNECT_TOKEN, baseUrl: BASE_URL });
			expect(elsewhere.isDone()).toBe(false);
			nock.cleanAll();
			expect(error.message).toBe(
				`Tracx answered with a redirect (HTTP ${status}) to ${shown}, which is not followed — check the Base URL of the Tracx credential`,
			);
			expect(error.description).toContain(
				`POST /session-token on api.tracx.test answered HTTP ${status}`,
			);
			expect(JSON.stringify({ m: error.message, d: error.description })).not.toMatch(
				/echo|v1\/connect\/session-token\?|fake-connect-token/,
			);
		});
	});

	it('names a relative redirect by the origin it resolves to', async () => {
		api().post('/v1/connect/session-token').reply(302, '', { Location: '/login?next=x' });
		const error = await exchangeError({ connectToken: CONNECT_TOKEN, baseUrl: BASE_URL });
		expect(error.message).toContain('(HTTP 302) to https://api.tracx.test,');
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

	it('sends the connect token only to the exchange endpoint', async () => {
		const options = await credential.authenticate(
			{ ...issued(), sessionToken: '' },
			{ baseURL: BASE_URL, url: '/session-token', method: 'POST' },
		);
		expect(options.headers).toMatchObject({ Authorization: CONNECT_TOKEN });
	});

	it('makes every request it authenticates refuse redirects, in both kinds of n8n request options', async () => {
		for (const request of [
			{ url: `${BASE_URL}/events` },
			{
				uri: `${BASE_URL}/races`,
				followRedirect: true,
				followAllRedirects: true,
				maxRedirects: 21,
			},
			{ baseURL: BASE_URL, url: '/session-token', method: 'POST' as const },
		]) {
			const options = await credential.authenticate(issued(), request as never);
			expect(options).toMatchObject({
				disableFollowRedirect: true,
				sendCredentialsOnCrossOriginRedirect: false,
				followRedirect: false,
				followAllRedirects: false,
				maxRedirects: 0,
			});
		}
	});

	it("keeps the request's own Accept header, in any case, and adds JSON only when there is none", async () => {
		const download = await credential.authenticate(issued(), {
			url: `${BASE_URL}/files/1`,
			headers: { accept: 'application/octet-stream' },
		});
		expect(download.headers).toEqual({
			accept: 'application/octet-stream',
			Authorization: fakeSessionToken(1),
		});
		const plain = await credential.authenticate(issued(), { url: `${BASE_URL}/events` });
		expect(plain.headers).toEqual({
			Accept: 'application/json',
			Authorization: fakeSessionToken(1),
		});
	});

	it.each([
		['', 'https://api.tracx.events/v1/connect'],
		['  https://api.tracx.test/v1/connect//  ', BASE_URL],
	])('resolves a bare path against the Base URL %j as the node does', async (baseUrl, base) => {
		const options = await credential.authenticate(
			{
				...issued(),
				baseUrl,
				sessionFingerprint: fingerprintOf(CONNECT_TOKEN, base),
			},
			{ url: '/events' },
		);
		expect(options).toMatchObject({ baseURL: base, url: '/events' });
		expect(options.headers).toMatchObject({ Authorization: fakeSessionToken(1) });
	});
});

describe('credential test (the Test button)', () => {
	/**
	 * What n8n does on Test (packages/cli credentials-tester.service.ts and core
	 * httpRequestWithAuthentication): preAuthentication always runs for a test, its output
	 * is merged in, then the test request is authenticated and sent.
	 */
	async function pressTest(data: Record<string, unknown>) {
		const decrypted = { authorizationHeaderFormat: 'bare', sessionToken: '', ...data };
		Object.assign(decrypted, await exchange(decrypted));
		const request = await credential.authenticate(decrypted as never, {
			...(credential.test.request as IHttpRequestOptions),
			headers: {},
		});
		return await send({
			...request,
			url: new URL(request.url.replace(/^\//, ''), `${request.baseURL}/`).href,
			baseURL: undefined,
		});
	}

	it('makes exactly one exchange, and passes for a token that may not list events', async () => {
		let exchanges = 0;
		api()
			.post('/v1/connect/session-token')
			.times(2)
			.reply(() => {
				exchanges++;
				return [200, { data: { token: fakeSessionToken(exchanges), expires_at: now() + 3600 } }];
			});
		const events = api()
			.get('/v1/connect/events')
			.matchHeader('authorization', fakeSessionToken(1))
			.reply(403, { message: 'This action is unauthorized.' });
		await pressTest({ connectToken: CONNECT_TOKEN, baseUrl: BASE_URL });
		expect(exchanges).toBe(1);
		expect(events.isDone()).toBe(true);
		nock.cleanAll();
	});

	it('uses the production Base URL when the field is emptied, as workflows do', async () => {
		const production = nock('https://api.tracx.events');
		production
			.post('/v1/connect/session-token')
			.reply(200, { data: { token: fakeSessionToken(1), expires_at: now() + 3600 } });
		production
			.get('/v1/connect/events')
			.matchHeader('authorization', fakeSessionToken(1))
			.reply(200, { data: { items: [] } });
		await pressTest({ connectToken: CONNECT_TOKEN, baseUrl: '' });
	});

	it('says a Base URL without a scheme must start with https://, and sends nothing', async () => {
		const anything = api().persist().post(/.*/).reply(200, {}).get(/.*/).reply(200, {});
		await expect(
			pressTest({ connectToken: CONNECT_TOKEN, baseUrl: 'api.tracx.test/v1/connect' }),
		).rejects.toThrow(
			'The Base URL of the Tracx credential must start with https:// (for example https://api.tracx.events/v1/connect)',
		);
		expect(anything.isDone()).toBe(false);
		nock.cleanAll();
	});

	it('fails with our message when the connect token is rejected', async () => {
		api().post('/v1/connect/session-token').reply(401, { message: 'Unauthenticated.' });
		await expect(pressTest({ connectToken: CONNECT_TOKEN, baseUrl: BASE_URL })).rejects.toThrow(
			MESSAGES.rejected,
		);
	});
});
