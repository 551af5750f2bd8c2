import { sleep } from 'n8n-workflow';

import { waitToRetry } from '../../nodes/Tracx/shared/retry';
import { credentialStoreWithToken } from './support/fake-n8n';
import { PATH, runNode, tracx, useNock } from './support/tracx-mock';

/** Retry waits that only end when the test says so, like a real 60 s Retry-After. */
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
		await expect(run).rejects.toThrow('Tracx failed to process the request (HTTP 503)');
		expect(calls).toBe(1);
	});

	it('an execution already stopped does not wait before giving up', async () => {
		tracx().get(`${PATH}/events`).reply(429, { message: 'Too Many Attempts.' });
		const stop = new AbortController();
		stop.abort();
		await expect(
			runNode({
				parameters: listEvents,
				store: credentialStoreWithToken(),
				cancelSignal: stop.signal,
			}),
		).rejects.toThrow('Tracx is rate limiting requests (HTTP 429)');
		expect(waits).not.toHaveBeenCalled();
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
