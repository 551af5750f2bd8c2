import { renewOnce } from '../../nodes/Tracx/transport/renewal';
import { credentialStore, fakeSessionToken, send } from './support/fake-n8n';
import { ORIGIN, PATH, nowSeconds, runNode, tracx, useNock } from './support/tracx-mock';

jest.mock('n8n-workflow', () => ({
	...jest.requireActual('n8n-workflow'),
	sleep: jest.fn(async () => {}),
}));

/**
 * A Tracx that revokes every session token when it issues the next one (the strictest
 * reading of "regenerate session tokens periodically"): only the newest token works.
 */
function revokingTracx() {
	let issued = 0;
	const seen = { exchanges: 0, rejected: 0, served: 0 };
	tracx()
		.persist()
		.post(`${PATH}/session-token`)
		.delay(5)
		.reply(() => {
			issued++;
			seen.exchanges++;
			return [200, { data: { token: fakeSessionToken(issued), expires_at: nowSeconds() + 3600 } }];
		});
	tracx()
		.persist()
		.get(`${PATH}/events`)
		.delay(5)
		.reply(function () {
			if (this.req.headers.authorization !== fakeSessionToken(issued)) {
				seen.rejected++;
				return [401, { message: 'Unauthenticated.' }];
			}
			seen.served++;
			return [200, { data: { items: [{ id: 1, name: 'Marathon' }] } }];
		});
	return seen;
}

const listEvents = { resource: 'event', operation: 'getAll', returnAll: true };

useNock();

describe('parallel executions on one credential', () => {
	it('make one exchange on first use, and all succeed even where new tokens revoke old ones', async () => {
		const seen = revokingTracx();
		const store = credentialStore();
		const runs = await Promise.all(
			Array.from({ length: 20 }, () => runNode({ parameters: listEvents, store })),
		);
		expect(runs.every((output) => output[0][0].json.name === 'Marathon')).toBe(true);
		expect(seen.exchanges).toBe(1);
		expect(seen.served).toBe(20);
	});

	it('renew a token Tracx stopped accepting once, and all succeed', async () => {
		const seen = revokingTracx();
		const store = credentialStore();
		await runNode({ parameters: listEvents, store });
		// Tracx forgets the token (expired early, revoked); the stored copy still looks fresh
		await issueOutsideN8n();
		const runs = await Promise.allSettled(
			Array.from({ length: 20 }, () => runNode({ parameters: listEvents, store })),
		);
		expect(runs.map((r) => r.status)).toEqual(Array(20).fill('fulfilled'));
		expect(seen.exchanges).toBe(3); // the first run, the out-of-band one, one renewal for all 20
		expect(seen.rejected).toBe(20);
	});
});

/** Another system sharing the connect token takes a new session token, revoking ours. */
async function issueOutsideN8n(): Promise<void> {
	await send({ method: 'POST', url: `${ORIGIN}${PATH}/session-token` });
}

describe('renewOnce', () => {
	it('runs one renewal per key; concurrent callers wait for it instead', async () => {
		let runs = 0;
		let release: () => void = () => {};
		const gate = new Promise<void>((resolve) => (release = resolve));
		const renewal = async () => {
			runs++;
			await gate;
			return 'renewed';
		};
		const calls = [
			renewOnce('k', renewal),
			renewOnce('k', renewal),
			renewOnce('k', renewal),
			renewOnce('other', renewal),
		];
		release();
		const outcomes = await Promise.all(calls);
		expect(outcomes.map((o) => o.ranHere)).toEqual([true, false, false, true]);
		expect(runs).toBe(2);
		// once settled, the next renewal runs again
		expect((await renewOnce('k', renewal)).ranHere).toBe(true);
	});

	it('lets waiters go on when the renewal fails', async () => {
		const failing = renewOnce('f', async () => {
			throw new Error('exchange failed');
		});
		const waiting = renewOnce('f', async () => 'never');
		await expect(failing).rejects.toThrow('exchange failed');
		await expect(waiting).resolves.toEqual({ ranHere: false });
	});
});
