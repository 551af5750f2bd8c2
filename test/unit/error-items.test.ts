import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { locator } from './support/fake-n8n';
import {
	PATH,
	expectNoSecrets,
	runNode,
	sessionIssuer,
	tracx,
	useNock,
} from './support/tracx-mock';

jest.mock('n8n-workflow', () => ({
	...jest.requireActual('n8n-workflow'),
	sleep: jest.fn(async () => {}),
}));

/*
 * Every error item, of every operation, must be one n8n moves to the error output under
 * "Continue (using error output)", with its fields. n8n (1.x and 2.x,
 * WorkflowExecute.handleNodeErrorOutput) moves an item when it carries an error object in
 * `error`, but then replaces its json with `{ error: message }`; an item judged by its json
 * alone moves only when the json holds nothing but `error` (1.x: plus `message`; 2.x: plus
 * `message` and `details`). The end-to-end suite runs the same items through real n8n.
 */
function routedToErrorOutput(item: INodeExecutionData, major: 1 | 2): boolean {
	if (item.error) return true;
	const keys = Object.keys(item.json);
	if (!item.json.error) return false;
	return major === 1
		? keys.length === 1 || (keys.length === 2 && Boolean(item.json.message))
		: keys.every((key) => ['error', 'message', 'details'].includes(key));
}

type ErrorJson = { message: string; description?: string } & IDataObject;
const errorOf = (item: INodeExecutionData) => item.json.error as ErrorJson;

function expectErrorItem(item: INodeExecutionData, message: string | RegExp) {
	expect(routedToErrorOutput(item, 1)).toBe(true);
	expect(routedToErrorOutput(item, 2)).toBe(true);
	// an error object on the item would make n8n drop every field but the message
	expect(item.error).toBeUndefined();
	expect(Object.keys(item.json)).toEqual(['error']);
	expect(errorOf(item).message).toEqual(expect.stringMatching(message));
}

const valid = (n: number) => ({
	unique_id: `P-${n}`,
	first_name: 'Anna',
	last_name: 'Jansen',
	date_of_birth: '1990-01-01',
	start_number: String(n),
	chip_code: '1234567',
});
const autoMap = { mappingMode: 'autoMapInputData', value: null };
const upsert = {
	resource: 'participant',
	operation: 'upsert',
	race: locator('11'),
	participant: autoMap,
};
const upsertMany = { ...upsert, operation: 'upsertMany', event: locator('1') };

useNock();
beforeEach(() => sessionIssuer());

describe('error items reach the error output, with their pairing and fields', () => {
	it.each([
		[
			'Event → Get Many',
			{ resource: 'event', operation: 'getAll', returnAll: true },
			'get',
			'/events',
		],
		[
			'Race → Get Many',
			{ resource: 'race', operation: 'getAll', returnAll: true, event: locator('') },
			'get',
			'/races',
		],
		['Participant → Create or Update', upsert, 'post', '/participant'],
	] as const)('%s: a failed call', async (_name, parameters, method, route) => {
		const call = () =>
			method === 'get' ? tracx().get(`${PATH}${route}`) : tracx().post(`${PATH}${route}`);
		call().reply(403, { message: 'This action is unauthorized.' });
		call().reply(200, { data: { items: [{ id: 1 }], id: 1 } });
		const output = await runNode({
			// one request at a time, so that the first answer (403) is the first item's
			parameters: { ...parameters, options: { inFlight: 1 } },
			items: [valid(1), valid(2)],
			continueOnFail: true,
		});
		const [failed, ...rest] = output[0];
		expectErrorItem(failed, /^The Tracx connect token lacks the permission permissions\./);
		expect(errorOf(failed).description).toContain('team@tracx.events');
		expect(failed.pairedItem).toEqual([{ item: 0 }]);
		expect(rest.map((item) => [routedToErrorOutput(item, 2), item.pairedItem])).toEqual([
			[false, { item: 1 }],
		]);
		expectNoSecrets(output);
	});

	it('Create or Update: an invalid participant', async () => {
		tracx()
			.post(`${PATH}/participant`)
			.reply(200, (_uri, body) => ({ data: body }));
		const output = await runNode({
			parameters: upsert,
			items: [{ ...valid(0), gender: 'x' }, valid(1)],
			continueOnFail: true,
		});
		expectErrorItem(output[0][0], 'Invalid participant in item 0: "gender" must be one of');
		expect(errorOf(output[0][0]).description).toMatch(
			/^With Map Automatically, each participant field takes the input column of the same name/,
		);
		expect(output[0][0].pairedItem).toEqual([{ item: 0 }]);
		expect(routedToErrorOutput(output[0][1], 2)).toBe(false);
	});

	it('Create or Update Many: an invalid participant and a failed batch', async () => {
		tracx()
			.post(`${PATH}/events/1/participants`)
			.reply(422, { message: 'Invalid.', errors: { '0.race_id': ['The race id is invalid.'] } });
		tracx()
			.post(`${PATH}/events/1/participants`)
			.reply(200, { data: { queued: true } });
		const output = await runNode({
			parameters: { ...upsertMany, options: { batchSize: 2, inFlight: 1 } },
			items: [valid(0), { ...valid(1), chip_code: '' }, valid(2), valid(3), valid(4)],
			continueOnFail: true,
		});
		const [invalid, failedBatch, queued] = output[0];
		expectErrorItem(invalid, 'Invalid participant in item 1: "chip_code" is required');
		expect(invalid.pairedItem).toEqual([{ item: 1 }]);
		expectErrorItem(failedBatch, /^Tracx rejected the data: item 0 \(unique_id P-0\) race_id/);
		expect(errorOf(failedBatch)).toMatchObject({
			event_id: 1,
			batch: 1,
			batch_count: 2,
			unique_ids: ['P-0', 'P-2'],
		});
		expect(failedBatch.pairedItem).toEqual([{ item: 0 }, { item: 2 }]);
		expect(routedToErrorOutput(queued, 2)).toBe(false);
		expect(queued.json).toMatchObject({ status: 'queued', unique_ids: ['P-3', 'P-4'] });
		expect(output[0]).toHaveLength(3);
		expectNoSecrets(output);
	});
});
