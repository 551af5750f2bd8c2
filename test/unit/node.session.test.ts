import nock from 'nock';

import { fingerprintOf } from '../../nodes/Tracx/shared/session';
import {
	BASE_URL,
	CONNECT_TOKEN,
	credentialStore,
	locator,
	fakeSessionToken,
} from './support/fake-n8n';
import {
	PATH,
	expectNoSecrets,
	useNock,
	nowSeconds,
	runNode,
	sessionIssuer,
	tracx,
} from './support/tracx-mock';

jest.mock('n8n-workflow', () => ({
	...jest.requireActual('n8n-workflow'),
	sleep: jest.fn(async () => {}),
}));

const listEvents = { resource: 'event', operation: 'getAll', returnAll: true };

/** GET /events that answers only when the expected session token is sent. */
function eventsFor(token: string, times = 1) {
	return tracx()
		.get(`${PATH}/events`)
		.times(times)
		.matchHeader('authorization', token)
		.reply(200, {
			data: {
				items: [
					{
						id: 1,
						name: 'Marathon',
						created_at: '2025-02-25 09:45:32',
						updated_at: '2025-02-25 09:45:32',
					},
				],
			},
		});
}

useNock();

describe('session token lifecycle through the node', () => {
	it('exchanges once for many items and many executions within the lifetime', async () => {
		const issuer = sessionIssuer();
		const calls = eventsFor(fakeSessionToken(1), 5 + 3);
		const store = credentialStore();
		const first = await runNode({ parameters: listEvents, items: [{}, {}, {}, {}, {}], store });
		expect(first[0]).toHaveLength(5);
		for (let run = 0; run < 3; run++) await runNode({ parameters: listEvents, store });
		expect(issuer.exchanges).toBe(1);
		expect(store.writes).toBe(1);
		expect(calls.isDone()).toBe(true);
		expect(store.data.sessionToken).toBe(fakeSessionToken(1));
		expect(store.data.sessionFingerprint).toBe(fingerprintOf(CONNECT_TOKEN, BASE_URL));
	});

	it('renews a token inside the 60 s margin before sending anything with it', async () => {
		const store = credentialStore({
			sessionToken: fakeSessionToken(9),
			sessionExpiresAt: nowSeconds() + 45,
			sessionIssuedAt: nowSeconds() - 3555,
			sessionFingerprint: fingerprintOf(CONNECT_TOKEN, BASE_URL),
		});
		const issuer = sessionIssuer();
		const stale = tracx()
			.get(`${PATH}/events`)
			.matchHeader('authorization', fakeSessionToken(9))
			.reply(200, {});
		eventsFor(fakeSessionToken(1));
		await runNode({ parameters: listEvents, store });
		expect(issuer.exchanges).toBe(1);
		expect(stale.isDone()).toBe(false);
		expect(store.data.sessionToken).toBe(fakeSessionToken(1));
	});

	it('renews an expired token before sending anything with it', async () => {
		const store = credentialStore({
			sessionToken: fakeSessionToken(9),
			sessionExpiresAt: nowSeconds() - 5,
			sessionIssuedAt: nowSeconds() - 3605,
			sessionFingerprint: fingerprintOf(CONNECT_TOKEN, BASE_URL),
		});
		const issuer = sessionIssuer();
		const stale = tracx()
			.get(`${PATH}/events`)
			.matchHeader('authorization', fakeSessionToken(9))
			.reply(200, {});
		eventsFor(fakeSessionToken(1));
		await runNode({ parameters: listEvents, store });
		expect(issuer.exchanges).toBe(1);
		expect(stale.isDone()).toBe(false);
	});

	it('uses the edited connect token on the very next call', async () => {
		const store = credentialStore();
		sessionIssuer();
		eventsFor(fakeSessionToken(1));
		await runNode({ parameters: listEvents, store });

		store.data = { ...store.data, connectToken: 'fake-connect-token-edited' };
		nock.cleanAll();
		const oldTokenUsed = tracx()
			.get(`${PATH}/events`)
			.matchHeader('authorization', fakeSessionToken(1))
			.reply(200, {});
		const edited = tracx()
			.post(`${PATH}/session-token`)
			.matchHeader('authorization', 'fake-connect-token-edited')
			.reply(200, { data: { token: fakeSessionToken(7), expires_at: nowSeconds() + 3600 } });
		eventsFor(fakeSessionToken(7));
		await runNode({ parameters: listEvents, store });
		expect(edited.isDone()).toBe(true);
		expect(oldTokenUsed.isDone()).toBe(false);
		expect(store.data.sessionFingerprint).toBe(
			fingerprintOf('fake-connect-token-edited', BASE_URL),
		);
	});

	it('renews after a 401 and resends once', async () => {
		const store = credentialStore({
			sessionToken: fakeSessionToken(9),
			sessionExpiresAt: nowSeconds() + 3000,
			sessionIssuedAt: nowSeconds() - 600,
			sessionFingerprint: fingerprintOf(CONNECT_TOKEN, BASE_URL),
		});
		const issuer = sessionIssuer();
		const rejected = tracx()
			.get(`${PATH}/events`)
			.matchHeader('authorization', fakeSessionToken(9))
			.reply(401, { message: 'Unauthenticated.' });
		const resent = eventsFor(fakeSessionToken(1));
		const output = await runNode({ parameters: listEvents, store });
		expect(output[0][0].json.name).toBe('Marathon');
		expect(rejected.isDone() && resent.isDone()).toBe(true);
		expect(issuer.exchanges).toBe(1);
		expect(store.data.sessionToken).toBe(fakeSessionToken(1));
	});

	it('gives up after one renewal when Tracx keeps answering 401, with a hint at revocation', async () => {
		const issuer = sessionIssuer();
		const calls = tracx()
			.get(`${PATH}/events`)
			.times(2)
			.reply(401, { message: 'Unauthenticated.' });
		const error = await runNode({ parameters: listEvents }).catch((e: unknown) => e as Error);
		expect((error as Error).message).toBe(
			'Tracx rejected the session token even after renewing it — the connect token may have been revoked',
		);
		expect(issuer.exchanges).toBe(2);
		expect(calls.isDone()).toBe(true);
		expectNoSecrets(error);
	});

	it('sends Bearer when the credential asks for it', async () => {
		sessionIssuer();
		const calls = eventsFor(`Bearer ${fakeSessionToken(1)}`);
		await runNode({
			parameters: listEvents,
			store: credentialStore({ authorizationHeaderFormat: 'bearer' }),
		});
		expect(calls.isDone()).toBe(true);
	});

	it('reports a rejected connect token with the fixed message, without the token', async () => {
		tracx().post(`${PATH}/session-token`).reply(401, { message: 'Unauthenticated.' });
		const error = await runNode({ parameters: listEvents }).catch(
			(e: unknown) => e as Error & { description?: string },
		);
		expect((error as Error).message).toBe(
			'Tracx did not accept the connect token — check it in the Tracx Dashboard',
		);
		expectNoSecrets(error);
	});

	it('refuses a non-https base URL before any request', async () => {
		const anything = tracx().persist().post(/.*/).reply(200, {}).get(/.*/).reply(200, {});
		const plain = nock('http://api.tracx.test')
			.persist()
			.post(/.*/)
			.reply(200, {})
			.get(/.*/)
			.reply(200, {});
		const error = await runNode({
			parameters: { resource: 'race', operation: 'getAll', returnAll: true, event: locator('') },
			store: credentialStore({ baseUrl: 'http://api.tracx.test/v1/connect' }),
		}).catch((e: unknown) => e as Error);
		expect((error as Error).message).toMatch(/Base URL of the Tracx credential must use https/);
		expect(anything.isDone()).toBe(false);
		expect(plain.isDone()).toBe(false);
	});

	it('says a Base URL without a scheme must start with https://, before any request', async () => {
		const anything = tracx().persist().post(/.*/).reply(200, {}).get(/.*/).reply(200, {});
		const error = await runNode({
			parameters: { resource: 'race', operation: 'getAll', returnAll: true, event: locator('') },
			store: credentialStore({ baseUrl: 'api.tracx.test/v1/connect' }),
		}).catch((e: unknown) => e as Error);
		expect((error as Error).message).toBe(
			'The Base URL of the Tracx credential must start with https:// (for example https://api.tracx.events/v1/connect)',
		);
		expect(anything.isDone()).toBe(false);
	});
});
