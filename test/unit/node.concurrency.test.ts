import { fingerprintOf } from '../../nodes/Tracx/shared/session';
import { FAILED_RENEWAL_WINDOW_MS, renewOnce } from '../../nodes/Tracx/transport/renewal';
import { BASE_URL, credentialStore, fakeSessionToken, send } from './support/fake-n8n';
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

	it('hands a failed renewal to its waiters, and to renewals asked for within the window', async () => {
		let runs = 0;
		const failing = async () => {
			runs++;
			throw new Error('exchange failed');
		};
		const first = renewOnce('f', failing);
		const waiting = renewOnce('f', async () => 'never');
		await expect(first).rejects.toThrow('exchange failed');
		await expect(waiting).rejects.toThrow('exchange failed');
		await expect(renewOnce('f', failing)).rejects.toThrow('exchange failed');
		expect(runs).toBe(1);
		// another credential is not concerned
		expect(await renewOnce('g', async () => 'renewed')).toEqual({
			ranHere: true,
			result: 'renewed',
		});
		// once the window has passed, the next renewal runs again
		const later = jest.spyOn(Date, 'now').mockReturnValue(Date.now() + FAILED_RENEWAL_WINDOW_MS);
		try {
			expect(await renewOnce('f', async () => 'renewed')).toEqual({
				ranHere: true,
				result: 'renewed',
			});
		} finally {
			later.mockRestore();
		}
	});

	it('does not share a failure of the request sent after a successful renewal', async () => {
		const dropped = renewOnce(
			'h',
			async () => {
				throw new Error('ECONNRESET');
			},
			() => false,
		);
		const waiting = renewOnce('h', async () => 'never');
		await expect(dropped).rejects.toThrow('ECONNRESET');
		await expect(waiting).resolves.toEqual({ ranHere: false });
		expect((await renewOnce('h', async () => 'renewed')).ranHere).toBe(true);
	});
});

describe('50 parallel executions when the renewal fails', () => {
	/** Counts exchange attempts; Tracx answers every one with `status`. */
	function failingExchange(connectToken: string, status: number) {
		const seen = { attempts: 0 };
		tracx()
			.persist()
			.post(`${PATH}/session-token`)
			.matchHeader('authorization', connectToken)
			.delay(5)
			.reply(() => {
				seen.attempts++;
				return [status, { message: 'no' }];
			});
		return seen;
	}

	it.each([
		{ status: 401, attempts: 1, message: 'Tracx did not accept the connect token' },
		{ status: 503, attempts: 3, message: 'Tracx could not issue a session token' },
	])(
		'an exchange answered $status: one renewal of $attempts attempt(s) for all 50',
		async ({ status, attempts, message }) => {
			const connectToken = `fake-connect-token-stampede-${status}`;
			const seen = failingExchange(connectToken, status);
			const store = credentialStore({ connectToken });
			const runs = await Promise.allSettled(
				Array.from({ length: 50 }, () => runNode({ parameters: listEvents, store })),
			);
			expect(runs.map((r) => r.status)).toEqual(Array(50).fill('rejected'));
			const messages = new Set(runs.map((r) => (r as PromiseRejectedResult).reason.message));
			expect([...messages]).toEqual([expect.stringContaining(message)]);
			expect(seen.attempts).toBe(attempts);
			expect(store.data.sessionToken).toBe('');
		},
	);

	it('a session token Tracx stopped accepting, and then a rejected connect token: one exchange', async () => {
		const connectToken = 'fake-connect-token-stampede-revoked';
		const store = credentialStore({
			connectToken,
			sessionToken: fakeSessionToken(7),
			sessionExpiresAt: nowSeconds() + 3600,
			sessionIssuedAt: nowSeconds(),
			sessionFingerprint: fingerprintOf(connectToken, BASE_URL),
		});
		const seen = failingExchange(connectToken, 401);
		tracx().persist().get(`${PATH}/events`).reply(401, { message: 'Unauthenticated.' });
		const runs = await Promise.allSettled(
			Array.from({ length: 50 }, () => runNode({ parameters: listEvents, store })),
		);
		expect(runs.map((r) => r.status)).toEqual(Array(50).fill('rejected'));
		expect(seen.attempts).toBe(1);
	});
});
