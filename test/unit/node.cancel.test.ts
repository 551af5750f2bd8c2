import { sleep } from 'n8n-workflow';

import type { IHttpRequestOptions } from 'n8n-workflow';

import { TracxConnectApi } from '../../credentials/TracxConnectApi.credentials';
import { cancelSignalOf, lendCancelSignal } from '../../nodes/Tracx/shared/cancel';
import { waitToRetry } from '../../nodes/Tracx/shared/retry';
import { Tracx } from '../../nodes/Tracx/Tracx.node';
import {
	CONNECT_TOKEN,
	credentialStore,
	credentialStoreWithToken,
	executeContext,
	fakeSessionToken,
	locator,
	passHelpersToPreAuthenticationAs,
	send,
	type RunOptions,
} from './support/fake-n8n';
import { PATH, nowSeconds, runNode, sessionIssuer, tracx, useNock } from './support/tracx-mock';

/**
 * Retry waits that only end when the test says so, like a real 60 s Retry-After. The fake
 * n8n's requests ignore the cancel signal (see fake-n8n.ts): whatever a stop prevents here,
 * the node prevented by itself.
 */
jest.mock('n8n-workflow', () => ({
	...jest.requireActual('n8n-workflow'),
	sleep: jest.fn(async () => await new Promise(() => {})),
}));
const waits = sleep as jest.MockedFunction<typeof sleep>;

const listEvents = { resource: 'event', operation: 'getAll', returnAll: true };

useNock();
beforeEach(() => waits.mockClear());

describe('stopping the execution', () => {
	it('ends a retry wait at once and makes no further attempt', async () => {
		let calls = 0;
		tracx()
			.persist()
			.get(`${PATH}/events`)
			.reply(() => {
				calls++;
				return [503, { message: 'Service Unavailable' }, { 'Retry-After': '60' }];
			});
		const waiting = new Promise<void>((resolve) => {
			waits.mockImplementationOnce(async () => {
				resolve();
				await new Promise(() => {});
			});
		});
		const stop = new AbortController();
		const run = runNode({
			parameters: listEvents,
			store: credentialStoreWithToken(),
			cancelSignal: stop.signal,
		});
		await waiting;
		expect(waits).toHaveBeenCalledWith(60_000);
		stop.abort();
		const error = await run.then(
			() => undefined,
			(e: unknown) => e as { message: string; description: string },
		);
		expect(error?.message).toBe('The execution was stopped');
		expect(error?.description).toContain('Done before the stop: 0 of 1 item.');
		expect(error?.description).toContain(
			'GET /events failed (its last attempt answered HTTP 503) and was waiting to be tried again; no further attempt was made after 1 attempt.',
		);
		expect(calls).toBe(1);
	});

	it('a request cut off by the stop is reported as a stop, not as a network error', async () => {
		const stop = new AbortController();
		const scope = tracx()
			.get(`${PATH}/events`)
			.replyWithError(Object.assign(new Error('canceled'), { code: 'ERR_CANCELED' }));
		// the stop lands while the request is under way, and n8n aborts it
		scope.on('request', () => stop.abort());
		const error = await runNode({
			parameters: listEvents,
			store: credentialStoreWithToken(),
			cancelSignal: stop.signal,
		}).then(
			() => undefined,
			(e: unknown) => e as { message: string; description: string },
		);
		expect(error?.message).toBe('The execution was stopped');
		expect(error?.description).toContain('Cut off: 1 item (0)');
		expect(error?.description).toContain('GET /events was under way and was cut off');
		expect(JSON.stringify(error)).not.toContain('Could not reach');
		expect(waits).not.toHaveBeenCalled();
	});

	it('an execution already stopped sends nothing', async () => {
		const calls = tracx()
			.get(`${PATH}/events`)
			.reply(200, { data: { items: [] } });
		const stop = new AbortController();
		stop.abort();
		await expect(
			runNode({
				parameters: listEvents,
				store: credentialStoreWithToken(),
				cancelSignal: stop.signal,
			}),
		).rejects.toThrow('The execution was stopped');
		expect(calls.isDone()).toBe(false);
		expect(waits).not.toHaveBeenCalled();
	});
});

/**
 * A fake Tracx that stops the execution when the `stopAt`-th request arrives (others are
 * under way meanwhile, as over a real network), and a count of the requests the node
 * STARTS before and after the stop, taken where the node hands them to n8n's helper.
 */
function stoppingTracx(route: 'participant' | 'bulk', stopAt: number) {
	const stop = new AbortController();
	let arrived = 0;
	const path = route === 'participant' ? `${PATH}/participant` : `${PATH}/events/1/participants`;
	tracx()
		.persist()
		.post(path)
		.reply(() => {
			if (++arrived === stopAt) stop.abort();
			return [200, { data: { id: 1, queued: 1 } }];
		});
	const started = { before: 0, after: 0 };
	const run = async (options: RunOptions) => {
		const ctx = executeContext({ ...options, cancelSignal: stop.signal });
		const helpers = ctx.helpers as unknown as Record<string, (...args: unknown[]) => unknown>;
		const sendOne = helpers.httpRequestWithAuthentication;
		helpers.httpRequestWithAuthentication = async (...args: unknown[]) => {
			if (stop.signal.aborted) started.after++;
			else started.before++;
			return await sendOne(...args);
		};
		return await new Tracx().execute
			.call(ctx)
			.then(() => undefined)
			.catch((error: unknown) => error as { message: string; description: string });
	};
	return { started, run };
}

function people(count: number) {
	return Array.from({ length: count }, (_, i) => ({
		unique_id: `STOP-${i}`,
		first_name: 'Runner',
		last_name: `No${i}`,
		date_of_birth: '1990-01-01',
		start_number: String(i + 1),
		chip_code: String(i + 1),
	}));
}

const autoMap = { mappingMode: 'autoMapInputData', value: null };

describe('Stop, with requests that do not honour the signal', () => {
	it('Create or Update (200 items, 4 in parallel) starts no request after the stop', async () => {
		const fake = stoppingTracx('participant', 20);
		const error = await fake.run({
			parameters: {
				resource: 'participant',
				operation: 'upsert',
				race: locator('1'),
				participant: autoMap,
				options: { inFlight: 4 },
			},
			items: people(200),
			store: credentialStoreWithToken(),
		});
		expect(fake.started.after).toBe(0);
		expect(fake.started.before).toBeGreaterThanOrEqual(20);
		expect(fake.started.before).toBeLessThanOrEqual(20 + 3);
		expect(error?.message).toBe('The execution was stopped');
		expect(error?.description).toMatch(/Done before the stop: \d+ of 200 items\./);
		expect(error?.description).toMatch(/Not sent: 1\d\d items\./);
		expect(error?.description).toContain('Running the workflow again is safe');
	});

	it('Create or Update Many (100 batches, 2 in parallel) starts no batch after the stop', async () => {
		const fake = stoppingTracx('bulk', 10);
		const error = await fake.run({
			parameters: {
				resource: 'participant',
				operation: 'upsertMany',
				event: locator('1'),
				race: locator('1'),
				participant: autoMap,
				options: { batchSize: 20, inFlight: 2 },
			},
			items: people(2000),
			store: credentialStoreWithToken(),
		});
		expect(fake.started.after).toBe(0);
		expect(fake.started.before).toBeGreaterThanOrEqual(10);
		expect(fake.started.before).toBeLessThanOrEqual(11);
		expect(error?.message).toBe('The execution was stopped');
		expect(error?.description).toContain('Stopped before every batch was sent.');
		expect(error?.description).toMatch(/Not sent: (89|90) more batches\./);
	});

	it('Get Many over several input items stops between items', async () => {
		const stop = new AbortController();
		let calls = 0;
		tracx()
			.persist()
			.get(`${PATH}/events`)
			.reply(() => {
				calls++;
				stop.abort();
				return [200, { data: { items: [{ id: 1, name: 'E' }] } }];
			});
		await expect(
			runNode({
				parameters: listEvents,
				items: [{}, {}, {}],
				store: credentialStoreWithToken(),
				cancelSignal: stop.signal,
			}),
		).rejects.toThrow('The execution was stopped');
		expect(calls).toBe(1);
	});

	it('does not turn a stop into error items under Continue On Fail', async () => {
		const fake = stoppingTracx('participant', 3);
		const error = await fake.run({
			parameters: {
				resource: 'participant',
				operation: 'upsert',
				race: locator('1'),
				participant: autoMap,
				options: { inFlight: 1 },
			},
			items: people(10),
			store: credentialStoreWithToken(),
			continueOnFail: true,
		});
		expect(error?.message).toBe('The execution was stopped');
		expect(fake.started).toEqual({ before: 3, after: 0 });
	});
});

describe.each(['n8n1', 'n8n2'] as const)('Stop during the session-token exchange (%s)', (major) => {
	beforeEach(() => passHelpersToPreAuthenticationAs(major));
	afterAll(() => passHelpersToPreAuthenticationAs('n8n1'));

	it('ends the exchange retry wait and sends no further exchange', async () => {
		let exchanges = 0;
		tracx()
			.persist()
			.post(`${PATH}/session-token`)
			.reply(() => {
				exchanges++;
				return [503, { message: 'Service Unavailable' }, { 'Retry-After': '2' }];
			});
		const release: Array<() => void> = [];
		const waiting = new Promise<void>((resolve) => {
			waits.mockImplementationOnce(async () => {
				resolve();
				await new Promise<void>((done) => release.push(done));
			});
		});
		const stop = new AbortController();
		const run = runNode({
			parameters: listEvents,
			store: credentialStore(),
			cancelSignal: stop.signal,
		});
		await waiting;
		expect(waits).toHaveBeenCalledWith(2000);
		stop.abort();
		// a wait that did not end on Stop would go on to a second exchange once it is over
		for (const done of release) done();
		await expect(run).rejects.toThrow('The execution was stopped');
		expect(exchanges).toBe(1);
	});

	it('the credential sends the exchange with the signal the node lent it', async () => {
		const stop = new AbortController();
		const sent: IHttpRequestOptions[] = [];
		const helpers = {
			httpRequest: async (options: IHttpRequestOptions) => {
				sent.push(options);
				return await send(options);
			},
		};
		sessionIssuer();
		const data = { connectToken: CONNECT_TOKEN, baseUrl: 'https://api.tracx.test/v1/connect' };
		// n8n 1.x hands preAuthentication the context's helpers, 2.x only the data the node passed
		lendCancelSignal(major === 'n8n1' ? helpers : data, stop.signal);
		const that = major === 'n8n1' ? { helpers } : { helpers: { ...helpers } };
		const output = await new TracxConnectApi().preAuthentication.call(that as never, data);
		expect(output.sessionExpiresAt).toBeGreaterThan(nowSeconds());
		expect(sent).toHaveLength(1);
		expect(sent[0].abortSignal).toBe(stop.signal);
	});

	it("an execution waiting for another one's renewal stops waiting on Stop", async () => {
		let open = () => {};
		const gate = new Promise<void>((resolve) => (open = resolve));
		let exchanges = 0;
		let arrived = () => {};
		const exchangeArrived = new Promise<void>((resolve) => (arrived = resolve));
		tracx()
			.persist()
			.post(`${PATH}/session-token`)
			.reply(async () => {
				exchanges++;
				arrived();
				await gate;
				return [200, { data: { token: fakeSessionToken(1), expires_at: nowSeconds() + 3600 } }];
			});
		tracx()
			.persist()
			.get(`${PATH}/events`)
			.reply(200, { data: { items: [] } });
		const store = credentialStore();
		const renewing = runNode({ parameters: listEvents, store });
		await exchangeArrived;
		const stop = new AbortController();
		let settled = false;
		const waiter = runNode({ parameters: listEvents, store, cancelSignal: stop.signal }).finally(
			() => (settled = true),
		);
		// its way to the wait is microtasks only (no I/O): let them run
		for (let i = 0; i < 100; i++) await Promise.resolve();
		expect(settled).toBe(false);
		stop.abort();
		await expect(waiter).rejects.toThrow('The execution was stopped');
		open();
		await expect(renewing).resolves.toEqual([[]]);
		expect(exchanges).toBe(1);
	});

	it('a stopped renewal is not a failed one for other executions', async () => {
		let exchanges = 0;
		tracx()
			.persist()
			.post(`${PATH}/session-token`)
			.reply(() => {
				exchanges++;
				return exchanges === 1
					? [503, { message: 'Service Unavailable' }, { 'Retry-After': '2' }]
					: [
							200,
							{
								data: { token: `fake-session-token-${exchanges}`, expires_at: nowSeconds() + 3600 },
							},
						];
			});
		tracx()
			.get(`${PATH}/events`)
			.reply(200, { data: { items: [] } });
		const waiting = new Promise<void>((resolve) => {
			waits.mockImplementationOnce(async () => {
				resolve();
				await new Promise(() => {});
			});
		});
		const stop = new AbortController();
		const store = credentialStore();
		const stopped = runNode({ parameters: listEvents, store, cancelSignal: stop.signal });
		await waiting;
		stop.abort();
		await expect(stopped).rejects.toThrow('The execution was stopped');
		// the next execution, moments later, renews by itself instead of inheriting the stop
		await expect(runNode({ parameters: listEvents, store })).resolves.toEqual([[]]);
		expect(exchanges).toBe(2);
	});
});

describe('cancelSignalOf: contexts with and without a cancel signal', () => {
	it('reads the signal where the context has one, and copes where it has none', () => {
		const signal = new AbortController().signal;
		expect(cancelSignalOf({ getExecutionCancelSignal: () => signal })).toBe(signal);
		// load-options and poll contexts have no such method; some return nothing
		expect(cancelSignalOf({})).toBeUndefined();
		expect(cancelSignalOf({ getExecutionCancelSignal: () => undefined })).toBeUndefined();
		expect(
			cancelSignalOf({
				getExecutionCancelSignal: () => {
					throw new Error('not available here');
				},
			}),
		).toBeUndefined();
	});

	it('a context without one runs as before', async () => {
		tracx()
			.get(`${PATH}/events`)
			.reply(200, { data: { items: [{ id: 1, name: 'E' }] } });
		const ctx = executeContext({ parameters: listEvents, store: credentialStoreWithToken() });
		delete (ctx as { getExecutionCancelSignal?: unknown }).getExecutionCancelSignal;
		const output = await new Tracx().execute.call(ctx);
		expect(output[0].map((item) => item.json)).toEqual([{ id: 1, name: 'E' }]);
	});
});

describe('waitToRetry', () => {
	it('waits the whole time when nothing stops it', async () => {
		waits.mockImplementationOnce(async () => {});
		await expect(waitToRetry(2, new AbortController().signal)).resolves.toBe(true);
		expect(waits).toHaveBeenCalledWith(2000);
		waits.mockImplementationOnce(async () => {});
		await expect(waitToRetry(1)).resolves.toBe(true);
	});

	it('resolves false when stopped during the wait', async () => {
		const stop = new AbortController();
		const waiting = waitToRetry(60, stop.signal);
		stop.abort();
		await expect(waiting).resolves.toBe(false);
	});
});
