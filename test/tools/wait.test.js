'use strict';

const { waitFor } = require('../e2e/support/wait');

describe('waitFor, the end-to-end files’ wait for an event', () => {
	test('returns the first truthy value of the check, sync or async', async () => {
		let calls = 0;
		const value = await waitFor('the third call', () => (++calls >= 3 ? { calls } : null), {
			everyMs: 1,
		});
		expect(value).toEqual({ calls: 3 });
		await expect(waitFor('an async answer', async () => 'ready', { everyMs: 1 })).resolves.toBe(
			'ready',
		);
	});

	test('gives up after its time, naming what it waited for and what explain adds', async () => {
		let seen = 0;
		const error = await waitFor(
			() => `2 polls (seen ${seen})`,
			() => {
				seen = 1;
				return false;
			},
			{ ms: 30, everyMs: 5, explain: () => 'n8n logged: Poll failed' },
		).catch((e) => e);
		expect(error).toBeInstanceOf(Error);
		expect(error.message).toBe(
			'timed out after 0.03 s waiting for 2 polls (seen 1)\nn8n logged: Poll failed',
		);
	});

	test('an error thrown by the check ends the wait at once', async () => {
		let calls = 0;
		await expect(
			waitFor(
				'never',
				() => {
					calls += 1;
					throw new Error('too many executions');
				},
				{ everyMs: 1 },
			),
		).rejects.toThrow('too many executions');
		expect(calls).toBe(1);
	});
});
