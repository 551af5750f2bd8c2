'use strict';

/**
 * The built package inside real n8n (1.x on Node 22, 2.x on Node 24) against the local
 * Tracx sandbox: what users get, asserted on n8n's real output AND on the sandbox's
 * counters and request log.
 *
 * Runs on the shared `n8n start` of each major (test/e2e/support/shared.js): this file's
 * credentials and workflows are saved through the REST API, every run is a manual run as the
 * editor's "Execute workflow" starts it, and the webhooks are published on the running
 * server. Isolation: this file's own sandbox (so its counters and request log see only this
 * file), its own credentials and workflows, and webhook paths starting with `tracx-` that no
 * other file publishes (`tracx-e2e-sync`, and the registration example's `tracx-registration`).
 * No scenario needs a process of its own: the session token is shared by runs on one server,
 * as users run it.
 */
const fs = require('node:fs');
const path = require('node:path');

const { startSandbox } = require('../sandbox/server');
const { makeOwnColumnRows, ownColumnMapping, renameToFields } = require('../bench/participants');
const { selectedRuntimes } = require('./support/install');
const { freePort } = require('./support/n8n');
const { sharedN8n } = require('./support/shared');
const { delay } = require('./support/wait');
const {
	chain,
	errorOf,
	itemsOf,
	manualTrigger,
	node,
	outputOf,
	records,
	rl,
	tracx,
	autoMap,
	participant: record,
} = require('./support/workflows');

const PACKAGE_DIR = path.resolve(__dirname, '../..');
jest.setTimeout(5 * 60_000);

const TOKENS = {
	all: 'fake-connect-token-all',
	write: 'fake-connect-token-write',
};

/** Waits until the clock reaches `at` (epoch ms): for what time defines, a token's renewal margin. */
async function untilTime(at) {
	// a timer may fire a millisecond before the clock shows its time
	while (Date.now() < at) await delay(at - Date.now() + 1);
}

const participant = (n, overrides) => record('E2E', n, overrides);

const example = (file) =>
	JSON.parse(fs.readFileSync(path.join(PACKAGE_DIR, 'examples', file), 'utf8'));

/**
 * What a registration platform posts for a new or changed registration (its own field names):
 * the sample shipped with the example, with `changes` merged into `registration`.
 */
function registration(changes = {}) {
	const merge = (base, extra) =>
		Object.fromEntries(
			[...new Set([...Object.keys(base), ...Object.keys(extra)])].map((key) => [
				key,
				typeof base[key] === 'object' && typeof extra[key] === 'object'
					? merge(base[key], extra[key])
					: (extra[key] ?? base[key]),
			]),
		);
	const sample = example('payloads/new-registration.json');
	return { ...sample, registration: merge(sample.registration, changes) };
}

describe.each(selectedRuntimes())('Tracx node in real n8n (%s)', (runtimeKey) => {
	let sandbox;
	let n8n;
	/** Executions this file started (manual runs and webhook calls): the secret scan reads them all. */
	let runs = 0;
	/** The run data of each manual run as read from n8n's database, by execution id. */
	const storedRuns = new Map();
	const credential = (id) => ({ id, name: `Tracx ${id}` });
	/** What the editor sends for a saved credential: n8n's id for it. */
	const savedCredential = (id) => ({ ...credential(id), id: n8n.credentialId(id) });

	/** A manual run; its stored run data is kept for the secret scan. */
	async function manualRun(workflowId) {
		runs += 1;
		const outcome = await n8n.execute(workflowId);
		storedRuns.set(outcome.executionId, outcome.result.data);
		return outcome;
	}

	/** Runs a workflow and returns its parsed result together with what the sandbox saw. */
	async function execute(workflowId) {
		const before = sandbox.stats();
		const seq = lastSeq();
		const outcome = await manualRun(workflowId);
		const after = sandbox.stats();
		return {
			...outcome,
			exchanges: after.exchanges.total - before.exchanges.total,
			requests: sandbox.control.requests({ since: seq }).items,
		};
	}

	function lastSeq() {
		const items = sandbox.control.requests({}).items;
		return items.length ? items[items.length - 1].seq : 0;
	}

	function succeeded(outcome) {
		expect({
			code: outcome.code,
			error: errorOf(outcome.result)?.message ?? null,
		}).toEqual({ code: 0, error: null });
	}

	beforeAll(async () => {
		sandbox = await startSandbox({ bulkDelayMs: 50 });
		n8n = await sharedN8n(runtimeKey);
		const cred = (id, token) => ({
			...credential(id),
			type: 'tracxConnectApi',
			data: { connectToken: token, baseUrl: sandbox.baseUrl },
		});
		await n8n.importCredentials([
			cred('credAll', TOKENS.all),
			cred('credWrite', TOKENS.write),
			cred('credEdit', TOKENS.all),
			// the credential the shipped examples name
			{ ...cred('tracxSandbox', TOKENS.all), name: 'Tracx (sandbox)' },
		]);
	});

	afterAll(async () => {
		await n8n?.cleanup();
		await sandbox?.close();
	});

	test('lists events and races; three executions share one session-token exchange', async () => {
		await n8n.importWorkflow(
			chain('events', [
				manualTrigger(),
				tracx('Events', credential('credAll'), {
					resource: 'event',
					operation: 'getAll',
					returnAll: true,
				}),
			]),
		);
		await n8n.importWorkflow(
			chain('races', [
				manualTrigger(),
				tracx('Races', credential('credAll'), {
					resource: 'race',
					operation: 'getAll',
					returnAll: true,
					event: rl('1', 'list'),
				}),
			]),
		);

		const first = await execute('events');
		succeeded(first);
		expect(outputOf(first.result, 'Events').map((e) => e.name)).toEqual([
			'Amsterdam City Run 2025',
			'Utrecht Cycling Classic 2025',
			'Zandvoort Beach Trail 2025',
		]);
		const second = await execute('races');
		const third = await execute('events');
		succeeded(second);
		succeeded(third);
		expect(outputOf(second.result, 'Races').map((r) => [r.id, r.event_id])).toEqual([
			[1, 1],
			[2, 1],
		]);
		expect([first.exchanges, second.exchanges, third.exchanges]).toEqual([1, 0, 0]);
		// every API call carried a session token issued to this connect token, none expired
		const apiCalls = [...first.requests, ...second.requests, ...third.requests].filter(
			(r) => r.auth.kind === 'session',
		);
		expect(apiCalls).toHaveLength(3);
		expect(new Set(apiCalls.map((r) => r.auth.jti)).size).toBe(1);
		expect(apiCalls.every((r) => r.status === 200 && !r.auth.expired)).toBe(true);

		const stored = await n8n.exportCredential('credAll');
		expect(stored.sessionToken).toEqual(expect.any(String));
		expect(stored.sessionExpiresAt).toBeGreaterThan(Date.now() / 1000 + 3000);
		expect(stored.sessionFingerprint).toMatch(/^[0-9a-f]{64}$/);
	});

	test('creates or updates participants one by one and in bulk; both land in the sandbox', async () => {
		await n8n.importWorkflow(
			chain('single', [
				manualTrigger(),
				records('Registrations', [
					participant(1),
					participant(2, { race_id: 2, country_code: 'nl', gender: 'Female' }),
				]),
				tracx('Upsert', credential('credAll'), {
					resource: 'participant',
					operation: 'upsert',
					race: rl('={{ $json.race_id }}'),
					participant: autoMap,
				}),
			]),
		);
		await n8n.importWorkflow(
			chain('bulk', [
				manualTrigger(),
				records(
					'Start list',
					[3, 4, 5, 6, 7].map((n) => participant(n)),
				),
				tracx('Upsert many', credential('credAll'), {
					resource: 'participant',
					operation: 'upsertMany',
					event: rl('1', 'list'),
					race: rl('={{ $json.race_id }}'),
					participant: autoMap,
					options: { batchSize: 2 },
				}),
			]),
		);

		const single = await execute('single');
		succeeded(single);
		const stored = outputOf(single.result, 'Upsert');
		expect(stored.map((p) => [p.unique_id, p.race_id, p.chip_code])).toEqual([
			['E2E-1', 1, '0000001'],
			['E2E-2', 2, '0000002'],
		]);
		expect(stored[1]).toMatchObject({ country_code: 'NL', gender: 'female' });

		const bulk = await execute('bulk');
		succeeded(bulk);
		const batches = outputOf(bulk.result, 'Upsert many');
		expect(batches.map((b) => [b.status, b.batch, b.batch_count, b.unique_ids])).toEqual([
			['queued', 1, 3, ['E2E-3', 'E2E-4']],
			['queued', 2, 3, ['E2E-5', 'E2E-6']],
			['queued', 3, 3, ['E2E-7']],
		]);
		expect(
			bulk.requests.filter((r) => r.route === 'POST /events/{event_id}/participants'),
		).toHaveLength(3);
		sandbox.control.flushImports();
		const inSandbox = sandbox.control.participants({ event_id: 1 }).items.map((p) => p.unique_id);
		expect(inSandbox).toEqual(
			expect.arrayContaining(['E2E-1', 'E2E-2', 'E2E-3', 'E2E-4', 'E2E-5', 'E2E-6', 'E2E-7']),
		);
	});

	test('with Continue On Fail, bad items come out as errors and good ones are still sent', async () => {
		const input = [
			participant(10),
			participant(11, { chip_code: '12345678' }),
			participant(12),
			participant(13, { date_of_birth: '2023-02-30' }),
		];
		await n8n.importWorkflow(
			chain('partial', [
				manualTrigger(),
				records('Mixed', input),
				tracx(
					'Upsert many',
					credential('credAll'),
					{
						resource: 'participant',
						operation: 'upsertMany',
						event: rl('1'),
						race: rl('={{ $json.race_id }}'),
						participant: autoMap,
					},
					{ onError: 'continueRegularOutput' },
				),
			]),
		);
		const outcome = await execute('partial');
		succeeded(outcome);
		const items = outputOf(outcome.result, 'Upsert many');
		const errors = items.filter((i) => i.error);
		const queued = items.filter((i) => !i.error);
		expect(errors.map((e) => e.error.message)).toEqual([
			'Invalid participant in item 1: "chip_code" must be exactly 7 characters (got 8); only codes of digits are padded with zeros',
			'Invalid participant in item 3: "date_of_birth" is not a real date (got "2023-02-30")',
		]);
		expect(queued.flatMap((q) => q.unique_ids)).toEqual(['E2E-10', 'E2E-12']);
		expect(errors.length + queued.flatMap((q) => q.unique_ids).length).toBe(input.length);
	});

	test('every error item of every operation takes the Error output under "Continue (using error output)" and stays in the one output under "Continue (regular output)"', async () => {
		// One input for four Tracx nodes side by side, each failing in its own way.
		const input = [
			participant(31, { event_id: '1' }),
			participant(32, { event_id: '9007199254740993', chip_code: 'AB12' }),
			participant(33, { event_id: '1', race_id: 999 }),
			participant(34, { event_id: '2' }),
			participant(35, { event_id: '2' }),
		];
		const operations = [
			// credWrite may not list events: every call answers 403
			['Events', 'credWrite', { resource: 'event', operation: 'getAll', returnAll: true }],
			// item 1's event ID is beyond safe integers
			[
				'Races',
				'credAll',
				{
					resource: 'race',
					operation: 'getAll',
					returnAll: true,
					event: rl('={{ $json.event_id }}'),
				},
			],
			// item 1 is invalid, item 2's race is unknown to Tracx (422)
			['Upsert', 'credAll', { resource: 'participant', operation: 'upsert', participant: autoMap }],
			// item 1 is invalid; the batch of items 0 and 2 is refused (422)
			[
				'Upsert many',
				'credAll',
				{
					resource: 'participant',
					operation: 'upsertMany',
					event: rl('1'),
					participant: autoMap,
					options: { batchSize: 2 },
				},
			],
		];
		const workflow = (id, onError) => {
			const source = records('Registrations', input);
			const nodes = operations.map(([name, cred, parameters]) =>
				tracx(name, credential(cred), parameters, { onError }),
			);
			const wf = chain(id, [manualTrigger(), source]);
			wf.nodes.push(...nodes);
			wf.connections[source.name] = {
				main: [nodes.map((n) => ({ node: n.name, type: 'main', index: 0 }))],
			};
			return wf;
		};
		await n8n.importWorkflow(workflow('toErrorOutput', 'continueErrorOutput'));
		await n8n.importWorkflow(workflow('toRegularOutput', 'continueRegularOutput'));

		const paired = (item) => [item.pairedItem].flat().map((p) => p.item);
		const expectedErrors = {
			Events: [0, 1, 2, 3, 4].map((i) => [
				[i],
				'The Tracx connect token lacks the permission permissions.events.list',
			]),
			Races: [
				[
					[1],
					'Item 1: "Event" must be a Tracx event ID (a whole number from 1 to 9007199254740991), got "9007199254740993"',
				],
			],
			Upsert: [
				[
					[1],
					'Invalid participant in item 1: "chip_code" must be exactly 7 characters (got 4); only codes of digits are padded with zeros',
				],
				[[2], 'Tracx rejected the data: race_id: The selected race id is invalid.'],
			],
			'Upsert many': [
				[
					[1],
					'Invalid participant in item 1: "chip_code" must be exactly 7 characters (got 4); only codes of digits are padded with zeros',
				],
				[
					[0, 2],
					expect.stringContaining('Tracx rejected the data: item 2 (unique_id E2E-33) race_id'),
				],
			],
		};
		const expectedSuccess = {
			Events: [],
			Races: [0, 0, 2, 2, 3, 3, 4, 4],
			Upsert: [0, 3, 4],
			'Upsert many': [3, 4],
		};
		const figures = {};
		for (const [id, split] of [
			['toErrorOutput', true],
			['toRegularOutput', false],
		]) {
			const outcome = await execute(id);
			succeeded(outcome);
			const routes = {};
			for (const r of outcome.requests.filter((r) => r.auth.kind === 'session')) {
				routes[`${r.route} ${r.status}`] = (routes[`${r.route} ${r.status}`] ?? 0) + 1;
			}
			figures[id] = { requests: routes };
			for (const [name] of operations) {
				const regular = itemsOf(outcome.result, name, 0);
				const errorOutput = itemsOf(outcome.result, name, 1);
				const errors = split ? errorOutput : regular.filter((i) => i.json.error !== undefined);
				const success = split ? regular : regular.filter((i) => i.json.error === undefined);
				figures[id][name] = { regular: regular.length, error: errorOutput.length };
				if (split) expect(regular.filter((i) => i.json.error !== undefined)).toEqual([]);
				else expect(errorOutput).toEqual([]);
				expect(errors.map((i) => [paired(i), i.json.error.message])).toEqual(expectedErrors[name]);
				// on the Error output n8n adds the paired input item's fields beside `error`
				if (split) {
					for (const i of errors) expect(i.json.unique_id).toBe(input[paired(i)[0]].unique_id);
				}
				expect(success.flatMap(paired)).toEqual(expectedSuccess[name]);
			}
			// the failed batch keeps its fields on either output
			const batch = itemsOf(outcome.result, 'Upsert many', split ? 1 : 0).find(
				(i) => i.json.error?.batch !== undefined,
			);
			expect(batch.json.error).toEqual({
				message: expect.stringContaining('Tracx rejected the data: item 2 (unique_id E2E-33)'),
				description: expect.stringContaining('POST /events/1/participants answered HTTP 422'),
				event_id: 1,
				batch: 1,
				batch_count: 2,
				unique_ids: ['E2E-31', 'E2E-33'],
			});
		}
		// The same requests either way: 5 refused event lists, 4 race lists, 4 single upserts (one
		// refused), 2 batches (one refused).
		const requests = {
			'GET /events 403': 5,
			'GET /races 200': 4,
			'POST /participant 200': 3,
			'POST /participant 422': 1,
			'POST /events/{event_id}/participants 200': 1,
			'POST /events/{event_id}/participants 422': 1,
		};
		expect(figures.toErrorOutput.requests).toEqual(requests);
		expect(figures.toRegularOutput.requests).toEqual(requests);
		console.log(`error-output figures (${runtimeKey}): ${JSON.stringify(figures)}`);
	});

	test('Create or Update with requests in parallel sends repeated unique_ids in input order; Tracx keeps the last record', async () => {
		const input = [
			participant(41, { unique_id: 'DUP-1', first_name: 'Version1' }),
			participant(42),
			participant(41, { unique_id: 'DUP-1', first_name: 'Version2' }),
			participant(43),
			participant(41, { unique_id: 'DUP-1', first_name: 'Version3' }),
			participant(44),
			participant(45),
			participant(46),
		];
		await n8n.importWorkflow(
			chain('repeatedIds', [
				manualTrigger(),
				records('Registrations', input),
				tracx('Upsert', credential('credAll'), {
					resource: 'participant',
					operation: 'upsert',
					participant: autoMap,
					options: { inFlight: 10 },
				}),
			]),
		);
		// the first record of DUP-1 is answered last by far: sent in parallel, the later
		// records would be stored first and the oldest one kept
		sandbox.control.faults({
			kind: 'slow',
			ms: 1500,
			routes: ['POST /participant'],
			bodyContains: 'Version1',
		});
		const outcome = await execute('repeatedIds');
		succeeded(outcome);
		expect(outputOf(outcome.result, 'Upsert').map((p) => [p.unique_id, p.first_name])).toEqual(
			input.map((p) => [p.unique_id, p.first_name]),
		);
		const kept = sandbox.control
			.participants({ event_id: 1 })
			.items.find((p) => p.unique_id === 'DUP-1');
		expect(kept.first_name).toBe('Version3');
		// in the order answered: the five other participants did not wait for DUP-1
		const answered = outcome.requests.filter((r) => r.route === 'POST /participant');
		expect(answered.map((r) => r.status)).toEqual(Array(8).fill(200));
		expect(answered.findIndex((r) => r.fault === 'slow')).toBe(5);
		console.log(
			`repeated-id figures (${runtimeKey}): ${answered.length} requests, the slow first DUP-1 answered ${answered.findIndex((r) => r.fault === 'slow') + 1}th, kept ${kept.first_name}`,
		);
	});

	test('10,000 rows with their own columns: Map Each Column Manually stores what Map Automatically stores', async () => {
		// one sandbox per way of mapping, so each holds only what that run stored
		const viaAuto = await startSandbox({ bulkDelayMs: 60_000 });
		const viaFields = await startSandbox({ bulkDelayMs: 60_000 });
		try {
			await n8n.importCredentials([
				{
					...credential('credMapAuto'),
					type: 'tracxConnectApi',
					data: { connectToken: TOKENS.all, baseUrl: viaAuto.baseUrl },
				},
				{
					...credential('credMapFields'),
					type: 'tracxConnectApi',
					data: { connectToken: TOKENS.all, baseUrl: viaFields.baseUrl },
				},
			]);
			const registrations = (rename = false) =>
				node('Registrations', 'n8n-nodes-base.code', 2, {
					jsCode: [
						`const make = ${makeOwnColumnRows.toString()};`,
						`const rename = ${rename ? renameToFields.toString() : '(row) => row'};`,
						'return make(10000).map((row) => ({ json: rename(row) }));',
					].join('\n'),
				});
			const many = { resource: 'participant', operation: 'upsertMany', event: rl('1', 'list') };
			await n8n.importWorkflow(
				chain('map-auto', [
					manualTrigger(),
					// the same rows, renamed to the field names in the Code node itself
					registrations(true),
					tracx('Tracx', credential('credMapAuto'), {
						...many,
						race: rl('', 'list'),
						participant: autoMap,
					}),
				]),
			);
			await n8n.importWorkflow(
				chain('map-fields', [
					manualTrigger(),
					registrations(),
					tracx('Tracx', credential('credMapFields'), { ...many, ...ownColumnMapping }),
				]),
			);
			for (const workflowId of ['map-auto', 'map-fields']) {
				const outcome = await manualRun(workflowId);
				expect({ workflowId, code: outcome.code }).toEqual({ workflowId, code: 0 });
				succeeded(outcome);
			}

			// each sandbox numbers its records itself: everything but those numbers must agree
			const stored = (sandbox) => {
				sandbox.control.flushImports();
				return sandbox.control
					.participants({ event_id: 1 })
					.items.filter((p) => p.unique_id.startsWith('OWN-'))
					.map(({ id, created_at, updated_at, ...fields }) => fields)
					.sort((a, b) => a.unique_id.localeCompare(b.unique_id));
			};
			const auto = stored(viaAuto);
			const fields = stored(viaFields);
			expect(auto).toHaveLength(10_000);
			expect(fields).toHaveLength(10_000);
			expect(auto.find((p) => p.unique_id === 'OWN-0')).toMatchObject({
				first_name: 'Läufer0',
				last_name: 'van der Berg',
				race_id: 1,
				start_number: '1000',
				chip_code: '0000001',
				country_code: 'DE',
				gender: 'male',
				team_name: 'Team 0',
			});
			expect(fields).toEqual(auto);
		} finally {
			await viaAuto.close();
			await viaFields.close();
		}
	});

	test('Validate Only: valid participants as they would be sent, an error per invalid row, nothing sent', async () => {
		const input = [participant(20), participant(21, { gender: 'other' }), participant(22), {}];
		await n8n.importWorkflow(
			chain('validate-only', [
				manualTrigger(),
				records('Export', input),
				tracx('Check', credential('credAll'), {
					resource: 'participant',
					operation: 'upsertMany',
					event: rl('1'),
					race: rl('', 'list'),
					participant: autoMap,
					options: { validateOnly: true },
				}),
			]),
		);
		const outcome = await execute('validate-only');
		succeeded(outcome);
		expect(outcome.exchanges).toBe(0);
		expect(outcome.requests).toEqual([]);
		const items = outputOf(outcome.result, 'Check');
		expect(items.filter((i) => !i.error)).toEqual([
			{ ...participant(20), chip_code: '0000020' },
			{ ...participant(22), chip_code: '0000022' },
		]);
		expect(items.filter((i) => i.error).map((i) => i.error.message)).toEqual([
			'Invalid participant in item 1: "gender" must be one of male, female, neutral (got "other")',
			expect.stringMatching(/^Invalid participant in item 3: "unique_id" is required: fill /),
		]);
	});

	test('a missing permission (403) and a rejected participant (422) produce our messages', async () => {
		await n8n.importWorkflow(
			chain('forbidden', [
				manualTrigger(),
				tracx('Events', credential('credWrite'), {
					resource: 'event',
					operation: 'getAll',
					returnAll: true,
				}),
			]),
		);
		await n8n.importWorkflow(
			chain('rejected', [
				manualTrigger(),
				records('Unknown race', [participant(20, { race_id: 999 })]),
				tracx('Upsert', credential('credAll'), {
					resource: 'participant',
					operation: 'upsert',
					race: rl('={{ $json.race_id }}'),
					participant: autoMap,
				}),
			]),
		);
		const forbidden = await execute('forbidden');
		expect(forbidden.code).toBe(1);
		expect(errorOf(forbidden.result).message).toBe(
			'The Tracx connect token lacks the permission permissions.events.list',
		);
		// credWrite may already hold a session token from the error-output test above
		expect(forbidden.exchanges).toBeLessThanOrEqual(1);
		expect(
			forbidden.requests.filter((r) => r.route !== 'POST /session-token').map((r) => r.status),
		).toEqual([403]);

		const rejected = await execute('rejected');
		expect(rejected.code).toBe(1);
		expect(errorOf(rejected.result).message).toBe(
			'Tracx rejected the data: race_id: The selected race id is invalid.',
		);
	});

	test('after the token expired: one 401, one new exchange, and the execution succeeds', async () => {
		sandbox.control.expireAll();
		const outcome = await execute('events');
		succeeded(outcome);
		expect(outcome.exchanges).toBe(1);
		const sessionCalls = outcome.requests.filter((r) => r.auth.kind === 'session');
		expect(sessionCalls.map((r) => [r.status, r.auth.expired])).toEqual([
			[401, true],
			[200, false],
		]);
	});

	test('renews a token near expiry before using it: no request carries the old token', async () => {
		const lifetime = 6;
		sandbox.control.connectTokens({
			token: 'fake-connect-token-short',
			label: 'short',
			permissions: ['permissions.events.list'],
			events: null,
			lifetime,
		});
		const short = {
			...credential('credShort'),
			type: 'tracxConnectApi',
			data: { connectToken: 'fake-connect-token-short', baseUrl: sandbox.baseUrl },
		};
		await n8n.importCredentials([short]);
		await n8n.importWorkflow(
			chain('shortLived', [
				manualTrigger(),
				tracx('Events', credential('credShort'), {
					resource: 'event',
					operation: 'getAll',
					returnAll: true,
				}),
			]),
		);
		const first = await execute('shortLived');
		succeeded(first);
		const firstJti = first.requests.find((r) => r.auth.kind === 'session').auth.jti;
		// lifetime 6 s → renewal margin 3 s (half the lifetime): the token expires at most 6 s
		// after the second in which the sandbox logged its exchange, so from 4 s after that
		// second on the stored token is inside the margin and must not be sent
		const exchange = first.requests.find((r) => r.route === 'POST /session-token');
		await untilTime(
			Math.floor(Date.parse(exchange.time) / 1000) * 1000 + (lifetime / 2 + 1) * 1000,
		);
		const second = await execute('shortLived');
		succeeded(second);
		expect(second.exchanges).toBe(1);
		const calls = second.requests.filter((r) => r.auth.kind === 'session');
		expect(calls.map((r) => r.status)).toEqual([200]);
		expect(calls[0].auth.jti).not.toBe(firstJti);
		expect(calls.some((r) => r.auth.expired)).toBe(false);
	});

	test('an edited connect token is used on the very next call, with its own permissions', async () => {
		await n8n.importWorkflow(
			chain('edited', [
				manualTrigger(),
				tracx('Events', credential('credEdit'), {
					resource: 'event',
					operation: 'getAll',
					returnAll: true,
				}),
			]),
		);
		succeeded(await execute('edited'));
		const stored = await n8n.exportCredential('credEdit');
		expect(stored.sessionToken).toEqual(expect.any(String));
		// as a user editing only the connect token: the stored session token stays
		await n8n.restData('PATCH', `/rest/credentials/${n8n.credentialId('credEdit')}`, {
			id: n8n.credentialId('credEdit'),
			...credential('credEdit'),
			type: 'tracxConnectApi',
			data: { ...stored, connectToken: TOKENS.write },
		});
		const after = await execute('edited');
		expect(after.code).toBe(1);
		expect(errorOf(after.result).message).toBe(
			'The Tracx connect token lacks the permission permissions.events.list',
		);
		expect(after.exchanges).toBe(1);
		const sessionCalls = after.requests.filter((r) => r.auth.kind === 'session');
		expect(sessionCalls.map((r) => r.auth.label)).toEqual(['write']);
	});

	test("n8n's HTTP Request node reaches Tracx with this credential", async () => {
		await n8n.importWorkflow(
			chain('httpNode', [
				manualTrigger(),
				node(
					'HTTP Request',
					'n8n-nodes-base.httpRequest',
					4.2,
					{
						url: `${sandbox.baseUrl}/races`,
						authentication: 'predefinedCredentialType',
						nodeCredentialType: 'tracxConnectApi',
						options: {},
					},
					{ credentials: { tracxConnectApi: credential('credAll') } },
				),
			]),
		);
		const outcome = await execute('httpNode');
		succeeded(outcome);
		expect(outputOf(outcome.result, 'HTTP Request')[0].data.items).toHaveLength(5);
		expect(
			outcome.requests
				.filter((r) => r.auth.kind === 'session')
				.map((r) => [r.status, r.auth.label]),
		).toEqual([[200, 'all']]);
	});

	test('under n8n start: a webhook-triggered run, and the credential test for good and bad tokens', async () => {
		// the registration webhook example is published here too: the next test calls it
		await n8n.importWorkflows([
			example('registration-webhook.json'),
			chain('webhook', [
				node(
					'Webhook',
					'n8n-nodes-base.webhook',
					2,
					{ httpMethod: 'POST', path: 'tracx-e2e-sync', responseMode: 'lastNode', options: {} },
					{ webhookId: 'b1a6f3a2-5e0e-4d55-9c8a-2f1f0c7e1d01' },
				),
				tracx('Upsert', credential('credAll'), {
					resource: 'participant',
					operation: 'upsert',
					race: rl('1'),
					participant: {
						mappingMode: 'defineBelow',
						value: {
							unique_id: '={{ $json.body.id }}',
							first_name: '={{ $json.body.first }}',
							last_name: '={{ $json.body.last }}',
							date_of_birth: '={{ $json.body.born }}',
							start_number: '={{ $json.body.bib }}',
							chip_code: '={{ $json.body.chip }}',
						},
						matchingColumns: [],
						schema: [],
					},
				}),
			]),
		]);
		await n8n.publishWorkflow('tracxRegistrationHook');
		await n8n.publishWorkflow('webhook');
		runs += 1;
		const response = await fetch(`${n8n.url}/webhook/tracx-e2e-sync`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({
				id: 'WEB-1',
				first: 'Web',
				last: 'Hook',
				born: '1980-12-31',
				bib: 'A7',
				chip: '42',
			}),
		});
		expect(response.status).toBe(200);
		expect(await response.json()).toMatchObject({
			unique_id: 'WEB-1',
			start_number: 'A7',
			chip_code: '0000042',
			race_id: 1,
		});
		expect(sandbox.control.participants({ event_id: 1 }).items.map((p) => p.unique_id)).toContain(
			'WEB-1',
		);

		// the editor's pickers and field mapper, through the same REST calls the editor makes
		const races = await n8n.dynamicParameters('resource-locator-results', {
			methodName: 'searchRaces',
			path: 'parameters.race',
			nodeTypeAndVersion: { name: 'n8n-nodes-tracx.tracx', version: 1 },
			currentNodeParameters: {
				resource: 'participant',
				operation: 'upsertMany',
				event: rl('2', 'list'),
			},
			credentials: { tracxConnectApi: savedCredential('credAll') },
		});
		// numbers in numeric order
		expect(races.results).toEqual([
			{ name: '60 km', value: '4' },
			{ name: '120 km', value: '3' },
		]);
		// with no event chosen: each race named with its event, grouped by event
		const allRaces = await n8n.dynamicParameters('resource-locator-results', {
			methodName: 'searchRaces',
			path: 'parameters.race',
			nodeTypeAndVersion: { name: 'n8n-nodes-tracx.tracx', version: 1 },
			currentNodeParameters: { resource: 'participant', operation: 'upsert' },
			credentials: { tracxConnectApi: savedCredential('credAll') },
		});
		expect(allRaces.results.slice(0, 4)).toEqual([
			{ name: 'Amsterdam City Run 2025 – 10 km', value: '1' },
			{ name: 'Amsterdam City Run 2025 – Half marathon', value: '2' },
			{ name: 'Utrecht Cycling Classic 2025 – 60 km', value: '4' },
			{ name: 'Utrecht Cycling Classic 2025 – 120 km', value: '3' },
		]);
		const mapper = await n8n.dynamicParameters('resource-mapper-fields', {
			methodName: 'getParticipantFields',
			path: 'parameters.participant',
			nodeTypeAndVersion: { name: 'n8n-nodes-tracx.tracx', version: 1 },
			currentNodeParameters: { resource: 'participant', operation: 'upsert' },
			credentials: { tracxConnectApi: savedCredential('credAll') },
		});
		expect(mapper.fields.find((f) => f.id === 'state').options).toContainEqual({
			name: 'Did Not Finish (DNF)',
			value: 'did_not_finish',
		});
		expect(mapper.fields.filter((f) => f.required).map((f) => f.id)).toEqual([
			'unique_id',
			'first_name',
			'last_name',
			'date_of_birth',
			'start_number',
			'chip_code',
		]);
		const good = await n8n.testCredential({
			type: 'tracxConnectApi',
			data: { connectToken: TOKENS.write, baseUrl: sandbox.baseUrl },
		});
		expect(good.status).toBe('OK');
		const bad = await n8n.testCredential({
			type: 'tracxConnectApi',
			data: { connectToken: 'fake-connect-token-wrong', baseUrl: sandbox.baseUrl },
		});
		expect(bad).toMatchObject({
			status: 'Error',
			message: expect.stringContaining('Tracx did not accept the connect token'),
		});
		// nothing listens on this port: the message names the host and the cause
		const closedPort = await freePort();
		const unreachable = await n8n.testCredential({
			type: 'tracxConnectApi',
			data: { connectToken: TOKENS.write, baseUrl: `http://127.0.0.1:${closedPort}/v1/connect` },
		});
		expect(unreachable).toMatchObject({
			status: 'Error',
			message: expect.stringContaining(
				`Could not reach Tracx to exchange the connect token at 127.0.0.1:${closedPort}: connection refused`,
			),
		});
	});

	test('the registration webhook example stores valid registrations and answers 422 or 503 otherwise', async () => {
		const post = async (body) => {
			const seq = lastSeq();
			runs += 1;
			const response = await fetch(`${n8n.url}/webhook/tracx-registration`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify(body),
			});
			const upserts = sandbox.control
				.requests({ since: seq })
				.items.filter((r) => r.route === 'POST /participant');
			return { status: response.status, body: await response.json(), upserts };
		};
		const stored = (uniqueId) =>
			sandbox.control.participants({ event_id: 1 }).items.filter((p) => p.unique_id === uniqueId);

		const created = await post(registration());
		expect(created.status).toBe(200);
		expect(created.body).toEqual({
			status: 'stored',
			participant: expect.objectContaining({
				unique_id: 'RR-48213',
				first_name: 'Sanne',
				last_name: 'de Jong',
				date_of_birth: '1991-03-14',
				race_id: 2,
				start_number: 'H-1042',
				chip_code: '0048213',
				country_code: 'NL',
				gender: 'female',
				team_name: 'AV Phoenix',
			}),
		});
		expect(stored('RR-48213')).toEqual([expect.objectContaining(created.body.participant)]);

		// the same registration changed on the platform: another race, bib, gender and country
		const changed = await post(
			registration({
				ticket: { name: '10 km', bib: '1042' },
				athlete: { sex: 'x', address: { country: 'belgium' } },
			}),
		);
		expect(changed.status).toBe(200);
		expect(changed.body.participant).toMatchObject({
			id: created.body.participant.id,
			unique_id: 'RR-48213',
			race_id: 1,
			start_number: '1042',
			gender: 'neutral',
			country_code: 'BE',
		});
		expect(stored('RR-48213')).toEqual([expect.objectContaining(changed.body.participant)]);

		const invalid = await post(
			registration({
				reference: 'RR-48214',
				ticket: { chip: '123456789' },
				athlete: { birth_date: '31.02.1991', address: { country: 'Atlantis' } },
			}),
		);
		expect(invalid.status).toBe(422);
		expect(invalid.body).toEqual({
			status: 'rejected',
			reference: 'RR-48214',
			error: expect.stringMatching(/^Invalid participant in item 0: /),
		});
		for (const field of ['date_of_birth', 'chip_code', 'country_code'])
			expect(invalid.body.error).toContain(`"${field}"`);
		expect(invalid.body.error).toContain('"1991-02-31"');
		expect(invalid.body.error).toMatch(/"country_code" .*\(got "ATLANTIS"\)/);
		expect(invalid.upserts).toEqual([]);
		expect(stored('RR-48214')).toEqual([]);

		// Tracx refuses to take it now: the platform is told to send it again later
		sandbox.control.faults({
			status: 429,
			retryAfter: 600,
			count: 1,
			routes: ['POST /participant'],
		});
		const unavailable = await post(registration({ reference: 'RR-48215' }));
		expect(unavailable.status).toBe(503);
		expect(unavailable.body).toEqual({
			status: 'not stored',
			error: expect.stringContaining('Tracx asked to wait 600 s'),
		});
		expect(unavailable.upserts.map((r) => r.status)).toEqual([429]);
		expect(stored('RR-48215')).toEqual([]);
	});

	test('the shipped example workflows run as they are', async () => {
		const scheduled = example('scheduled-registration-sync.json');
		// a manual run starts from a Manual Trigger: swap the schedule for one, keep the rest as shipped
		const trigger = scheduled.nodes[0].name;
		scheduled.nodes[0] = {
			...manualTrigger(),
			name: trigger,
			id: scheduled.nodes[0].id,
			position: scheduled.nodes[0].position,
		};
		await n8n.importWorkflows([
			example('list-events-and-races.json'),
			example('bulk-import-start-list.json'),
			example('race-day-states.json'),
			scheduled,
		]);

		const listed = await execute('tracxListEvents');
		succeeded(listed);
		expect(outputOf(listed.result, 'Get races of each event')).toHaveLength(5);

		const startList = ['REG-1001', 'REG-1002', 'REG-1003', 'REG-1004'];
		const imported = await execute('tracxBulkImport');
		succeeded(imported);
		expect(
			outputOf(imported.result, 'Create or update participants').flatMap((b) => b.unique_ids),
		).toEqual(startList);
		sandbox.control.flushImports();
		const registered = (uniqueId) =>
			sandbox.control.participants({ event_id: 1 }).items.find((p) => p.unique_id === uniqueId);
		const before = startList.map(registered);

		const raceDay = await execute('tracxRaceDayStates');
		succeeded(raceDay);
		expect(
			outputOf(raceDay.result, 'Set participant state').map((p) => [
				p.start_number,
				p.unique_id,
				p.state,
			]),
		).toEqual([
			['101', 'REG-1001', 'did_not_start'],
			['202', 'REG-1004', 'did_not_finish'],
			['102', 'REG-1002', 'disqualified'],
		]);
		expect(outputOf(raceDay.result, 'Bibs not on the start list')).toEqual([
			{ bib: '315', mark: 'DNF' },
		]);
		// only the state changed; the participant not on the sheet was left alone
		const after = startList.map(registered);
		const states = {
			'REG-1001': 'did_not_start',
			'REG-1002': 'disqualified',
			'REG-1004': 'did_not_finish',
		};
		after.forEach((participant, i) => {
			const { state, updated_at: _u, ...rest } = participant;
			const { state: stateBefore, updated_at: _b, ...restBefore } = before[i];
			expect(rest).toEqual(restBefore);
			expect(state).toBe(states[participant.unique_id] ?? stateBefore);
		});

		const synced = await execute('tracxScheduledSync');
		succeeded(synced);
		expect(
			outputOf(synced.result, 'Create or update participant').map((p) => [
				p.unique_id,
				p.start_number,
				p.country_code,
			]),
		).toEqual([
			['WEB-2001', 'A12', 'NL'],
			['WEB-2002', 'B7', 'DE'],
		]);
	});

	test('no connect or session token appears in n8n output, stored executions or logs', async () => {
		// every stored execution of this file's workflows (manual and webhook runs), as n8n
		// keeps it, and everything n8n printed (debug level) since this file attached
		// (the manual runs' data was read when each run ended; the webhook runs' is read here)
		const executions = [];
		for (const id of n8n.workflowIds.keys()) {
			for (const { id: executionId } of await n8n.executionsOf(id)) {
				executions.push(
					storedRuns.get(String(executionId)) ??
						(await n8n.restData('GET', `/rest/executions/${executionId}`)),
				);
			}
		}
		expect(executions).toHaveLength(runs);
		// a failure names where and what was found, never the secret itself
		const secrets = {
			...TOKENS,
			short: 'fake-connect-token-short',
			wrong: 'fake-connect-token-wrong',
		};
		for (const [where, text] of [
			['stored executions', JSON.stringify(executions)],
			['n8n log', n8n.logText()],
		]) {
			const found = Object.entries(secrets)
				.filter(([, secret]) => text.includes(secret))
				.map(([name]) => `connect token ${name}`);
			if (/eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\./.test(text))
				found.push('a session token (JWT)');
			expect({ where, found }).toEqual({ where, found: [] });
		}
	});
});
