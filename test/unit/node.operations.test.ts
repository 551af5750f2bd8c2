/* eslint-disable @n8n/community-nodes/no-restricted-imports -- a real timer keeps replies pending */
import { setTimeout as wait } from 'timers/promises';
import nock from 'nock';
import { NodeOperationError, type IDataObject } from 'n8n-workflow';

import { Tracx } from '../../nodes/Tracx/Tracx.node';

import { fingerprintOf } from '../../nodes/Tracx/shared/session';
import {
	BASE_URL,
	CONNECT_TOKEN,
	credentialStore,
	fakeSessionToken,
	locator,
} from './support/fake-n8n';
import {
	PATH,
	expectNoSecrets,
	nowSeconds,
	useNock,
	runNode,
	sessionIssuer,
	tracx,
} from './support/tracx-mock';

jest.mock('n8n-workflow', () => ({
	...jest.requireActual('n8n-workflow'),
	sleep: jest.fn(async () => {}),
}));

const events = [1, 2, 3].map((id) => ({
	id,
	name: `Event ${id}`,
	created_at: '2025-02-25 09:45:32',
	updated_at: '2025-02-25 09:45:32',
}));
const races = [
	{ id: 11, event_id: 1, name: '10K' },
	{ id: 12, event_id: 1, name: 'Half' },
];

function participant(n: number, overrides: IDataObject = {}): IDataObject {
	return {
		unique_id: `P-${n}`,
		first_name: `First${n}`,
		last_name: `Last${n}`,
		date_of_birth: '1988-07-14',
		start_number: String(100 + n),
		chip_code: String(n + 1),
		...overrides,
	};
}

const autoMap = { mappingMode: 'autoMapInputData', value: null };

/** Create or Update: Race 11, Map Automatically; `overrides` replaces any parameter. */
const upsertParameters = (overrides: Record<string, unknown> = {}) => ({
	resource: 'participant',
	operation: 'upsert',
	race: locator('11'),
	participant: autoMap,
	...overrides,
});

/** Create or Update Many: event 1, Race 11, Map Automatically; `overrides` replaces any. */
const manyParameters = (overrides: Record<string, unknown> = {}) => ({
	resource: 'participant',
	operation: 'upsertMany',
	event: locator('1'),
	race: locator('11'),
	participant: autoMap,
	...overrides,
});

/** A Tracx that stores (echoes) `times` single participants; returns what it received. */
function echoParticipants(times: number): IDataObject[] {
	const bodies: IDataObject[] = [];
	tracx()
		.post(`${PATH}/participant`)
		.times(times)
		.reply((_uri, body) => {
			bodies.push(body as IDataObject);
			return [200, { data: body as IDataObject }];
		});
	return bodies;
}

const byUniqueId = (bodies: IDataObject[]) =>
	[...bodies].sort((a, b) => String(a.unique_id).localeCompare(String(b.unique_id)));

useNock();
beforeEach(() => sessionIssuer());

describe('Event → Get Many', () => {
	it('returns one item per event, limited unless Return All', async () => {
		tracx()
			.get(`${PATH}/events`)
			.times(2)
			.reply(200, { data: { items: events } });
		const limited = await runNode({
			parameters: { resource: 'event', operation: 'getAll', returnAll: false, limit: 2 },
		});
		expect(limited[0].map((i) => i.json.id)).toEqual([1, 2]);
		const all = await runNode({
			parameters: { resource: 'event', operation: 'getAll', returnAll: true },
		});
		expect(all[0].map((i) => i.json)).toEqual(events);
		expect(all[0].every((i) => (i.pairedItem as { item: number }).item === 0)).toBe(true);
	});
});

describe('Race → Get Many', () => {
	it('filters by the chosen event with event_id', async () => {
		const call = tracx()
			.get(`${PATH}/races`)
			.query({ event_id: '1' })
			.reply(200, { data: { items: races } });
		const output = await runNode({
			parameters: {
				resource: 'race',
				operation: 'getAll',
				returnAll: true,
				event: locator('1', 'list'),
			},
		});
		expect(call.isDone()).toBe(true);
		expect(output[0].map((i) => i.json.name)).toEqual(['10K', 'Half']);
	});

	it('lists every race when no event is chosen', async () => {
		const call = tracx()
			.get(`${PATH}/races`)
			.query((q) => Object.keys(q).length === 0)
			.reply(200, { data: { items: races } });
		await runNode({
			parameters: {
				resource: 'race',
				operation: 'getAll',
				returnAll: true,
				event: locator('', 'list'),
			},
		});
		expect(call.isDone()).toBe(true);
	});

	it.each([
		['an ID that is not a number', 'abc', 'abc'],
		['9007199254740993', '9007199254740993', '9007199254740993'],
		['a 22-digit ID', '1234567890123456789012', '1234567890123456789012'],
		['an unsafe number', 2 ** 53, '9007199254740992'],
		['a number printed with an exponent', 1e21, '1e+21'],
	])(
		'refuses %s, naming the item and the parameter, before any call',
		async (_name, value, shown) => {
			const call = tracx()
				.get(`${PATH}/races`)
				.query(true)
				.reply(200, { data: { items: [] } });
			await expect(
				runNode({
					parameters: {
						resource: 'race',
						operation: 'getAll',
						returnAll: true,
						event: locator(value),
					},
				}),
			).rejects.toThrow(
				`Item 0: "Event" must be a Tracx event ID (a whole number from 1 to 9007199254740991), got "${shown}"`,
			);
			expect(call.isDone()).toBe(false);
		},
	);
});

describe('Participant → Create or Update', () => {
	it('sends one validated participant per item and outputs what Tracx stored', async () => {
		const bodies: unknown[] = [];
		tracx()
			.post(`${PATH}/participant`)
			.times(2)
			.reply((_uri, body) => {
				bodies.push(body);
				const { unique_id } = body as IDataObject;
				return [200, { data: { id: `stored-${String(unique_id)}`, ...(body as IDataObject) } }];
			});
		const output = await runNode({
			parameters: upsertParameters(),
			items: [participant(1, { extra: 'ignored' }), participant(2, { race_id: 99 })],
		});
		// requests go out in parallel: compare them in unique_id order; outputs keep item order
		expect(byUniqueId(bodies as IDataObject[])).toEqual([
			{ ...participant(1), chip_code: '0000002', race_id: 11 },
			{ ...participant(2), chip_code: '0000003', race_id: 11 },
		]);
		expect(output[0].map((i) => [i.json.id, i.pairedItem])).toEqual([
			['stored-P-1', { item: 0 }],
			['stored-P-2', { item: 1 }],
		]);
	});

	it('reads mapped values in Map Each Column Manually mode, race per item', async () => {
		const bodies = echoParticipants(2);
		await runNode({
			parameters: upsertParameters({
				race: (i: number) => locator(String(20 + i)),
				participant: (i: number) => ({
					mappingMode: 'defineBelow',
					value: { ...participant(i), gender: 'Male', team_name: '' },
				}),
			}),
			items: [{}, {}],
		});
		expect(byUniqueId(bodies).map((b) => [b.race_id, b.gender, 'team_name' in b])).toEqual([
			[20, 'male', false],
			[21, 'male', false],
		]);
	});

	it("takes each item's race_id column when Race is left empty with Map Automatically", async () => {
		const bodies = echoParticipants(2);
		await runNode({
			parameters: upsertParameters({ race: locator('', 'list') }),
			items: [participant(1, { race_id: 3 }), participant(2, { race_id: '4' })],
		});
		expect(byUniqueId(bodies).map((b) => b.race_id)).toEqual([3, 4]);
	});

	it('asks for a Race when it is empty and the fields are mapped one by one', async () => {
		await expect(
			runNode({
				parameters: upsertParameters({
					race: locator('', 'list'),
					participant: { mappingMode: 'defineBelow', value: participant(1, { race_id: 3 }) },
				}),
				items: [{}],
			}),
		).rejects.toThrow(
			/^Invalid participant in item 0: "race_id" is required: choose a race in the Race parameter \(From List or By ID\)$/,
		);
	});

	it('names the Race parameter and the race_id column when both are empty with Map Automatically', async () => {
		const error = (await runNode({
			parameters: upsertParameters({ race: locator('', 'list') }),
			items: [participant(1)],
		}).catch((e: unknown) => e)) as Error & { description?: string };
		expect(error.message).toBe(
			'Invalid participant in item 0: "race_id" is required: choose a race in the Race parameter, or give each item a race_id column',
		);
		expect(error.description).toMatch(/^With Map Automatically, each participant field takes/);
	});

	it('names the mapper field to fill when a field mapped one by one is empty', async () => {
		const error = (await runNode({
			parameters: upsertParameters({
				participant: { mappingMode: 'defineBelow', value: participant(1, { date_of_birth: '' }) },
			}),
			items: [{}],
		}).catch((e: unknown) => e)) as Error & { description?: string };
		expect(error.message).toBe(
			'Invalid participant in item 0: "date_of_birth" is required: set Date of Birth under "Values to Send"',
		);
		expect(error.description).toMatch(/^With Map Each Column Manually, each participant field/);
	});

	it('reads the credential once per run, not once per item, also with requests in parallel', async () => {
		tracx()
			.post(`${PATH}/participant`)
			.times(20)
			.reply(200, (_uri, body) => ({ data: body as IDataObject }));
		const store = credentialStore({
			sessionToken: fakeSessionToken(1),
			sessionExpiresAt: nowSeconds() + 3600,
			sessionIssuedAt: nowSeconds(),
			sessionFingerprint: fingerprintOf(CONNECT_TOKEN, BASE_URL),
		});
		const output = await runNode({
			parameters: upsertParameters(),
			items: Array.from({ length: 20 }, (_, n) => participant(n)),
			store,
		});
		expect(output[0].map((o) => o.pairedItem)).toEqual(
			Array.from({ length: 20 }, (_, item) => ({ item })),
		);
		expect(store.nodeReads).toBe(1);
	});

	it('sends up to 10 participants at a time by default, and one at a time when asked', async () => {
		for (const [options, expected] of [
			[{}, 10],
			[{ inFlight: 1 }, 1],
		] as const) {
			let open = 0;
			let most = 0;
			tracx()
				.post(`${PATH}/participant`)
				.times(30)
				.reply(async (_uri, body) => {
					most = Math.max(most, ++open);
					await wait(5); // while this answer is pending, the others in flight arrive
					open--;
					return [200, { data: body as IDataObject }];
				});
			const output = await runNode({
				parameters: upsertParameters({ options }),
				items: Array.from({ length: 30 }, (_, n) => participant(n)),
			});
			expect(output[0].map((o) => o.json.unique_id)).toEqual(
				Array.from({ length: 30 }, (_, n) => `P-${n}`),
			);
			expect(most).toBe(expected);
		}
	});

	it('stops with the option named when Requests in Parallel is out of range', async () => {
		const sent = tracx().post(`${PATH}/participant`).reply(200, { data: {} });
		await expect(
			runNode({
				parameters: upsertParameters({ options: { inFlight: 51 } }),
				items: [participant(1)],
			}),
		).rejects.toThrow('"Requests in Parallel" must be a whole number from 1 to 50, got 51');
		expect(sent.isDone()).toBe(false);
	});

	it('sends requests for the same unique_id one after the other, in input order; others still in parallel', async () => {
		const arrived: string[] = [];
		const open = new Map<string, number>();
		let mostSameId = 0;
		let most = 0;
		tracx()
			.post(`${PATH}/participant`)
			.times(12)
			.reply(async (_uri, body) => {
				const { unique_id: id, first_name: name } = body as IDataObject;
				arrived.push(`${String(id)}:${String(name)}`);
				open.set(String(id), (open.get(String(id)) ?? 0) + 1);
				mostSameId = Math.max(mostSameId, open.get(String(id)) ?? 0);
				most = Math.max(
					most,
					[...open.values()].reduce((a, b) => a + b, 0),
				);
				// the first record of P-1 is the slowest: in parallel the later ones would overtake it
				await wait(name === 'v1' ? 30 : 5);
				open.set(String(id), (open.get(String(id)) ?? 1) - 1);
				return [200, { data: body as IDataObject }];
			});
		const input = [
			participant(1, { first_name: 'v1' }),
			participant(2),
			participant(1, { first_name: 'v2' }),
			participant(3),
			participant(1, { first_name: 'v3' }),
			...Array.from({ length: 7 }, (_, n) => participant(10 + n)),
		];
		const output = await runNode({ parameters: upsertParameters(), items: input });
		expect(arrived.filter((a) => a.startsWith('P-1:'))).toEqual(['P-1:v1', 'P-1:v2', 'P-1:v3']);
		expect(mostSameId).toBe(1);
		expect(most).toBeGreaterThan(2);
		expect(output[0].map((o) => [o.json.unique_id, o.pairedItem])).toEqual(
			input.map((p, item) => [p.unique_id, { item }]),
		);
	});

	it('stops at the first invalid item, naming item and field, when Continue On Fail is off', async () => {
		const sent = tracx().post(`${PATH}/participant`).reply(200, { data: {} });
		await expect(
			runNode({
				parameters: upsertParameters(),
				items: [participant(1, { chip_code: '12345678' })],
			}),
		).rejects.toThrow(
			'Invalid participant in item 0: "chip_code" must be exactly 7 characters (got 8)',
		);
		expect(sent.isDone()).toBe(false);
	});

	it('checks every item before sending any: an invalid item 5 stops the node with nothing sent', async () => {
		const sent = echoParticipants(10);
		const input = Array.from({ length: 10 }, (_, n) =>
			participant(n, n === 5 ? { date_of_birth: '1990-13-01' } : {}),
		);
		await expect(runNode({ parameters: upsertParameters(), items: input })).rejects.toThrow(
			'Invalid participant in item 5: "date_of_birth" is not a real date (got "1990-13-01")',
		);
		expect(sent).toEqual([]);
	});

	it('with Continue On Fail, sends the valid items and turns the rest into error items', async () => {
		tracx()
			.post(`${PATH}/participant`)
			.times(2)
			.reply(200, (_uri, body) => ({ data: body as IDataObject }));
		const input = [
			participant(1),
			participant(2, { date_of_birth: '2023-02-30' }),
			participant(3),
			participant(4, { gender: 'x' }),
		];
		const output = await runNode({
			parameters: upsertParameters(),
			items: input,
			continueOnFail: true,
		});
		const failed = output[0].filter((i) => i.json.error);
		const succeeded = output[0].filter((i) => !i.json.error);
		expect(succeeded.length + failed.length).toBe(input.length);
		expect(
			failed.map((i) => [i.pairedItem, (i.json.error as { message: string }).message]),
		).toEqual([
			[
				[{ item: 1 }],
				'Invalid participant in item 1: "date_of_birth" is not a real date (got "2023-02-30")',
			],
			[
				[{ item: 3 }],
				'Invalid participant in item 3: "gender" must be one of male, female, neutral (got "x")',
			],
		]);
	});
});

describe('Participant → Create or Update Many', () => {
	function captureBatches() {
		const batches: Array<{ path: string; body: IDataObject[] }> = [];
		tracx()
			.persist()
			.post(/\/v1\/connect\/events\/\d+\/participants/)
			.reply((uri, body) => {
				batches.push({ path: uri, body: body as IDataObject[] });
				return [200, { data: { queued: (body as unknown[]).length } }];
			});
		// Batches in flight together may arrive in any order: list them in the order sent.
		return {
			get sent() {
				const first = (b: { body: IDataObject[] }) => Number(String(b.body[0].unique_id).slice(2));
				return [...batches].sort((x, y) => first(x) - first(y));
			},
		};
	}

	it('sends batches of the chosen size and pairs each summary with its items', async () => {
		const batches = captureBatches();
		const input = Array.from({ length: 7 }, (_, i) => participant(i));
		const output = await runNode({
			parameters: manyParameters({
				event: locator('1', 'list'),
				race: locator('11', 'list'),
				options: { batchSize: 3 },
			}),
			items: input,
		});
		expect(batches.sent.map((b) => [b.path, b.body.length])).toEqual([
			[`${PATH}/events/1/participants`, 3],
			[`${PATH}/events/1/participants`, 3],
			[`${PATH}/events/1/participants`, 1],
		]);
		expect(batches.sent[0].body[0]).toEqual({
			...participant(0),
			chip_code: '0000001',
			race_id: 11,
		});
		expect(output[0].map((o) => o.pairedItem)).toEqual([
			[{ item: 0 }, { item: 1 }, { item: 2 }],
			[{ item: 3 }, { item: 4 }, { item: 5 }],
			[{ item: 6 }],
		]);
		expect(output[0][2].json).toEqual({
			status: 'queued',
			event_id: 1,
			batch: 3,
			batch_count: 3,
			participant_count: 1,
			unique_ids: ['P-6'],
			response: { data: { queued: 1 } },
		});
	});

	it('uses 1000 per batch by default', async () => {
		const batches = captureBatches();
		await runNode({
			parameters: manyParameters(),
			items: Array.from({ length: 2001 }, (_, i) => participant(i)),
		});
		expect(batches.sent.map((b) => b.body.length)).toEqual([1000, 1000, 1]);
	});

	it('groups items that name different events', async () => {
		const batches = captureBatches();
		const input = [
			participant(0, { ev: 2 }),
			participant(1, { ev: 1 }),
			participant(2, { ev: 2 }),
			participant(3, { ev: 1 }),
		];
		const output = await runNode({
			parameters: manyParameters({
				event: (_i: number, item: { json: IDataObject }) => locator(String(item.json.ev)),
			}),
			items: input,
		});
		expect(batches.sent.map((b) => [b.path, b.body.map((p) => p.unique_id)])).toEqual([
			[`${PATH}/events/2/participants`, ['P-0', 'P-2']],
			[`${PATH}/events/1/participants`, ['P-1', 'P-3']],
		]);
		expect(output[0].map((o) => o.pairedItem)).toEqual([
			[{ item: 0 }, { item: 2 }],
			[{ item: 1 }, { item: 3 }],
		]);
	});

	it('with Continue On Fail accounts for every item: valid ones queued, invalid ones as errors', async () => {
		const batches = captureBatches();
		const input = Array.from({ length: 10 }, (_, i) =>
			participant(i, i % 3 === 0 ? { unique_id: 'bad id' } : {}),
		);
		const output = await runNode({
			parameters: manyParameters({ options: { batchSize: 4 } }),
			items: input,
			continueOnFail: true,
		});
		const paired = (o: { pairedItem?: unknown }) =>
			(o.pairedItem as Array<{ item: number }>).map((p) => p.item);
		const failedItems = output[0].filter((o) => o.json.error).flatMap(paired);
		const queuedItems = output[0].filter((o) => !o.json.error).flatMap(paired);
		expect(failedItems).toEqual([0, 3, 6, 9]);
		expect(queuedItems).toEqual([1, 2, 4, 5, 7, 8]);
		expect(failedItems.length + queuedItems.length).toBe(input.length);
		expect(batches.sent.flatMap((b) => b.body.map((p) => p.unique_id))).toEqual([
			'P-1',
			'P-2',
			'P-4',
			'P-5',
			'P-7',
			'P-8',
		]);
	});

	it('sends nothing when an item is invalid and Continue On Fail is off', async () => {
		const batches = captureBatches();
		await expect(
			runNode({
				parameters: manyParameters(),
				items: [participant(0), participant(1, { last_name: '' })],
			}),
		).rejects.toThrow(
			'Invalid participant in item 1: "last_name" is required: fill the item\'s last_name column',
		);
		expect(batches.sent).toEqual([]);
	});

	describe('Validate Only', () => {
		it('outputs each valid participant as it would be sent, and an error item per invalid row, without any request', async () => {
			const batches = captureBatches();
			const store = credentialStore();
			const input = [
				participant(0, { ev: 2, gender: 'Female' }),
				participant(1, { ev: 1, date_of_birth: '2023-02-30' }),
				participant(2, { ev: 1 }),
				participant(3, { ev: 2, chip_code: '12345678', last_name: '' }),
				participant(4, { ev: 'x' }),
			];
			const output = await runNode({
				parameters: manyParameters({
					event: (_i: number, item: { json: IDataObject }) => locator(String(item.json.ev)),
					options: { validateOnly: true, batchSize: 1 },
				}),
				items: input,
				store,
			});
			expect(batches.sent).toEqual([]);
			expect([store.exchanges, store.nodeReads]).toEqual([0, 0]);
			expect(output[0].filter((o) => !o.json.error)).toEqual([
				{
					json: { ...participant(0), chip_code: '0000001', race_id: 11, gender: 'female' },
					pairedItem: { item: 0 },
				},
				{ json: { ...participant(2), chip_code: '0000003', race_id: 11 }, pairedItem: { item: 2 } },
			]);
			expect(
				output[0]
					.filter((o) => o.json.error)
					.map((o) => [(o.json.error as IDataObject).message, o.pairedItem]),
			).toEqual([
				[
					'Invalid participant in item 1: "date_of_birth" is not a real date (got "2023-02-30")',
					[{ item: 1 }],
				],
				[
					expect.stringMatching(
						/^Invalid participant in item 3: "last_name" is required: .*; "chip_code" must be /,
					),
					[{ item: 3 }],
				],
				[expect.stringMatching(/^Item 4: "Event" must be a Tracx event ID/), [{ item: 4 }]],
			]);
		});

		it('still stops on a wrong option, naming it', async () => {
			await expect(
				runNode({
					parameters: manyParameters({ options: { validateOnly: true, inFlight: 0 } }),
					items: [participant(0)],
				}),
			).rejects.toThrow('"Batches in Parallel" must be a whole number from 1 to 10, got 0');
		});
	});

	it('maps a 422 on a batch back to the input items and says what was already queued', async () => {
		tracx()
			.persist()
			.post(`${PATH}/events/1/participants`)
			.reply((_uri, body) => {
				return (body as IDataObject[])[0].unique_id === 'P-0'
					? [200, { data: { queued: 2 } }]
					: [
							422,
							{
								message: 'The 1.chip_code field must be 7 characters.',
								errors: { '1.chip_code': ['The chip code field must be 7 characters.'] },
							},
						];
			});
		const error = (await runNode({
			parameters: manyParameters({ options: { batchSize: 2 } }),
			items: [participant(0), participant(1), participant(2), participant(3)],
		}).catch((e: unknown) => e)) as Error & { description: string };
		expect(error.message).toBe(
			'Tracx rejected the data: item 3 (unique_id P-3) chip_code: The chip code field must be 7 characters.',
		);
		expect(error.description).toContain(
			'Failed at event 1 batch 2/2. Queued: event 1 batch 1/2 (2).',
		);
		expect(error.description).toContain('Running the workflow again is safe');
		expectNoSecrets(error);
	});

	/**
	 * A Tracx that answers each batch after `delay(first unique_id)` ms, with a 422 where
	 * `fails(first unique_id)`; records the batches in arrival order and the most at once.
	 */
	function slowBatches(
		delay: (first: string) => number,
		fails: (first: string) => boolean = () => false,
	) {
		const seen = { order: [] as string[], most: 0 };
		let open = 0;
		tracx()
			.persist()
			.post(`${PATH}/events/1/participants`)
			.reply(async (_uri, body) => {
				const ids = (body as IDataObject[]).map((p) => String(p.unique_id));
				seen.most = Math.max(seen.most, ++open);
				seen.order.push(ids.join(','));
				await wait(delay(ids[0])); // while this answer is pending, other batches may arrive
				open--;
				return fails(ids[0])
					? [422, { message: 'Invalid.', errors: { '0.race_id': ['The race id is invalid.'] } }]
					: [200, { data: { queued: ids.length } }];
			});
		return seen;
	}

	it('sends 4 batches at a time by default, fewer when asked; outputs stay in batch order', async () => {
		for (const [options, expected] of [
			[{}, 4],
			[{ inFlight: 2 }, 2],
			[{ inFlight: 1 }, 1],
		] as const) {
			const seen = slowBatches(() => 5);
			const output = await runNode({
				parameters: manyParameters({ options: { batchSize: 2, ...options } }),
				items: Array.from({ length: 12 }, (_, i) => participant(i)),
			});
			expect(seen.most).toBe(expected);
			expect(output[0].map((o) => o.json.unique_ids)).toEqual(
				Array.from({ length: 6 }, (_, b) => [`P-${2 * b}`, `P-${2 * b + 1}`]),
			);
			nock.cleanAll();
			sessionIssuer();
		}
	});

	it('sends batches one after the other, in input order, when a unique_id repeats for an event', async () => {
		const seen = slowBatches(() => 5);
		const input = [...Array.from({ length: 7 }, (_, i) => participant(i)), participant(0)];
		await runNode({
			parameters: manyParameters({ options: { batchSize: 2, inFlight: 4 } }),
			items: input,
		});
		expect(seen.most).toBe(1);
		expect(seen.order).toEqual(['P-0,P-1', 'P-2,P-3', 'P-4,P-5', 'P-6,P-0']);
	});

	it('when a batch fails with others in flight, waits for them, starts no more and says which were queued', async () => {
		// batch 1 is still under way when batch 2 fails
		const seen = slowBatches(
			(first) => (first === 'P-0' ? 30 : 1),
			(first) => first === 'P-2',
		);
		const error = (await runNode({
			parameters: manyParameters({ options: { batchSize: 2, inFlight: 2 } }),
			items: Array.from({ length: 10 }, (_, i) => participant(i)),
		}).catch((e: unknown) => e)) as Error & { description: string };
		expect(error.message).toBe(
			'Tracx rejected the data: item 2 (unique_id P-2) race_id: The race id is invalid.',
		);
		expect([...seen.order].sort()).toEqual(['P-0,P-1', 'P-2,P-3']);
		expect(error.description).toContain(
			'Failed at event 1 batch 2/5. Queued: event 1 batch 1/5 (2). Not sent: 3 more batches.',
		);
		expectNoSecrets(error);
	});

	it('names every batch that failed while in flight, not only the first', async () => {
		slowBatches(
			(first) => (first === 'P-0' ? 1 : 10),
			(first) => first !== 'P-4',
		);
		const error = (await runNode({
			parameters: manyParameters({ options: { batchSize: 2, inFlight: 2 } }),
			items: Array.from({ length: 5 }, (_, i) => participant(i)),
		}).catch((e: unknown) => e)) as Error & { description: string };
		expect(error.message).toContain('item 0 (unique_id P-0)');
		expect(error.description).toContain(
			'Failed at event 1 batch 1/3. Also failed: event 1 batch 2/3. Nothing was queued. Not sent: 1 more batch.',
		);
	});

	it('with Continue On Fail, a failed batch becomes one error item for its items and the rest is sent', async () => {
		slowBatches(
			() => 2,
			(first) => first === 'P-2',
		);
		const output = await runNode({
			parameters: manyParameters({ options: { batchSize: 2 } }),
			items: Array.from({ length: 6 }, (_, i) => participant(i)),
			continueOnFail: true,
		});
		expect(output[0].map((o) => [o.json.error === undefined, o.pairedItem])).toEqual([
			[true, [{ item: 0 }, { item: 1 }]],
			[false, [{ item: 2 }, { item: 3 }]],
			[true, [{ item: 4 }, { item: 5 }]],
		]);
		expect(output[0][1].json.error).toMatchObject({
			event_id: 1,
			batch: 2,
			unique_ids: ['P-2', 'P-3'],
		});
	});

	it('stops with the option named when Batch Size is not a whole number from 1 to 10000', async () => {
		const batches = captureBatches();
		for (const batchSize of [-1, 0, 0.5, 10001, Number.NaN, 'many', '']) {
			await expect(
				runNode({
					parameters: manyParameters({ options: { batchSize } }),
					items: [participant(0), participant(1)],
				}),
			).rejects.toThrow(
				`"Batch Size" must be a whole number from 1 to 10000, got ${String(batchSize)}`,
			);
		}
		expect(batches.sent).toEqual([]);
		// an expression that gives the number as text is read as that number
		await runNode({
			parameters: manyParameters({ options: { batchSize: '1' } }),
			items: [participant(0), participant(1)],
		});
		expect(batches.sent).toHaveLength(2);
	});

	it('stops with the option named when Batches in Parallel is not a whole number from 1 to 10', async () => {
		const batches = captureBatches();
		for (const inFlight of [Number.NaN, 0, 11, 2.5, 'four']) {
			await expect(
				runNode({
					parameters: manyParameters({ options: { inFlight } }),
					items: [participant(0)],
				}),
			).rejects.toThrow(
				`"Batches in Parallel" must be a whole number from 1 to 10, got ${String(inFlight)}`,
			);
		}
		expect(batches.sent).toEqual([]);
		// an expression that gives the number as text is read as that number
		await runNode({
			parameters: manyParameters({ options: { inFlight: '3' } }),
			items: [participant(0)],
		});
		expect(batches.sent).toHaveLength(1);
	});

	it('says which event was not found (404)', async () => {
		tracx().post(`${PATH}/events/999/participants`).reply(404, { message: 'Event not found.' });
		await expect(
			runNode({
				parameters: manyParameters({ event: locator('999') }),
				items: [participant(0)],
			}),
		).rejects.toThrow('Tracx event 999 not found');
	});
});

describe('Custom API Call, which n8n adds to the Resource and Operation lists', () => {
	const description = new Tracx().description;

	it.each([
		['the operation', { resource: 'participant', operation: '__CUSTOM_API_CALL__' }],
		['the resource', { resource: '__CUSTOM_API_CALL__' }],
	])(
		'chosen as %s, points to the HTTP Request node and sends nothing',
		async (_where, parameters) => {
			const anything = tracx().persist().post(/.*/).reply(200, {}).get(/.*/).reply(200, {});
			const error = (await runNode({ parameters }).catch((e: unknown) => e)) as NodeOperationError;
			expect(error).toBeInstanceOf(NodeOperationError);
			expect(error.message).toBe(
				"Custom API Call is made with n8n's HTTP Request node, not with the Tracx node",
			);
			expect(error.description).toContain('"Predefined Credential Type"');
			expect(error.description).toContain('"Tracx Connect API"');
			expect(anything.isDone()).toBe(false);
			nock.cleanAll();
		},
	);

	it('is left to n8n: the node itself lists only its own operations', () => {
		const values = description.properties
			.filter((p) => p.name === 'resource' || p.name === 'operation')
			.flatMap((p) => (p.options ?? []).map((o) => (o as { value: string }).value));
		expect(values).not.toContain('__CUSTOM_API_CALL__');
	});
});
