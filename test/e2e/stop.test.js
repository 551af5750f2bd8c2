'use strict';

/**
 * Stop and 403 messages in real n8n (1.x and 2.x), on the shared n8n of each major
 * (support/shared.js): this file's credentials and workflows (ids translated by the driver),
 * webhook paths `tracx-stop-…` and webhookIds of its own; its executions are found by
 * filtering on its workflow ids, and the log it reads is what n8n printed while its scenario ran.
 *
 * Stop: imports started by webhook are stopped the way the editor stops them
 * (`POST /rest/executions/:id/stop`) while the sandbox is slow enough that the stop lands
 * mid-import; the sandbox's request log then says which requests STARTED after the stop
 * (start = logged end time − duration): there must be none. The figures (requests before
 * the stop, cut off by it, participants stored) go to stdout for the README. Requests cut off
 * by the stop are logged once the sandbox answers them: a request sent to the sandbox after
 * the stop, with the same latency, is answered after them.
 *
 * 403: Tracx answers 403 both for a missing permission and for an event outside the
 * token's scope; each cause, and the case where the node cannot tell, with the message the
 * node gives.
 */
const { startSandbox } = require('../sandbox/server');
const { selectedRuntimes } = require('./support/install');
const { delay, waitFor } = require('./support/wait');
const { sharedN8n } = require('./support/shared');
const {
	chain,
	node,
	outputOf,
	records,
	rl,
	tracx,
	autoMap,
	participant,
} = require('./support/workflows');

jest.setTimeout(5 * 60_000);

/** How long after its Retry-After a retry would surely have reached the sandbox. */
const RETRY_MARGIN_MS = 2000;

/**
 * Extra connect tokens: two lack one write permission and may list every event and race;
 * one may write to event 1 only and list nothing.
 */
const TOKENS = [
	{
		token: 'fake-connect-token-nobulk',
		label: 'nobulk',
		permissions: [
			'permissions.events.list',
			'permissions.races.list',
			'permissions.participants.store',
		],
		events: null,
	},
	{
		token: 'fake-connect-token-nosingle',
		label: 'nosingle',
		permissions: [
			'permissions.events.list',
			'permissions.races.list',
			'permissions.participants.store-multiple',
		],
		events: null,
	},
	{
		token: 'fake-connect-token-write-event1',
		label: 'writeevent1',
		permissions: ['permissions.participants.store', 'permissions.participants.store-multiple'],
		events: [1],
	},
];

const CREDENTIALS = {
	stopAll: 'fake-connect-token-all',
	stopExchange: 'fake-connect-token-all',
	stopEvent1: 'fake-connect-token-event1',
	stopNoBulk: 'fake-connect-token-nobulk',
	stopNoSingle: 'fake-connect-token-nosingle',
	stopWriteEvent1: 'fake-connect-token-write-event1',
};

const credential = (id) => ({ id, name: `Tracx ${id}` });

let hooks = 0;
function webhook(webhookPath, responseMode) {
	hooks++;
	return node(
		'Webhook',
		'n8n-nodes-base.webhook',
		2,
		{ httpMethod: 'POST', path: webhookPath, responseMode, options: {} },
		{ webhookId: `5e7a1c2d-3b4f-4a6e-8d9c-${String(hooks).padStart(12, '0')}` },
	);
}

/** A Code node making `count` participants for race 1 (event 1), unique_id `${prefix}-n`. */
const generated = (prefix, count) =>
	node('Participants', 'n8n-nodes-base.code', 2, {
		jsCode: `return Array.from({ length: ${count} }, (_, i) => ({ json: {
			unique_id: '${prefix}-' + i, first_name: 'Runner' + i, last_name: 'Stopped',
			date_of_birth: '1991-03-15', race_id: 1, start_number: String(1000 + i),
			chip_code: String(i + 1) } }));`,
	});

const IMPORTS = {
	upsert: {
		id: 'stopUpsert',
		hook: 'tracx-stop-upsert',
		prefix: 'STOP1',
		count: 200,
		route: 'POST /participant',
		latencyMs: 60,
		stopAfter: 40,
		tracx: {
			resource: 'participant',
			operation: 'upsert',
			race: rl('1'),
			participant: autoMap,
			options: { inFlight: 4 },
		},
	},
	upsertMany: {
		id: 'stopMany',
		hook: 'tracx-stop-many',
		prefix: 'STOPM',
		count: 20_000,
		route: 'POST /events/{event_id}/participants',
		latencyMs: 150,
		stopAfter: 10,
		tracx: {
			resource: 'participant',
			operation: 'upsertMany',
			event: rl('1'),
			race: rl('1'),
			participant: autoMap,
			options: { batchSize: 200, inFlight: 2 },
		},
	},
};

/**
 * Webhook → one participant → one Tracx node per 403 case (side by side, each with its own
 * credential), errors on the regular output: each node's output is its error item.
 */
function forbiddenWorkflow() {
	const start = webhook('tracx-stop-403', 'onReceived');
	const one = records('One', [participant('F403', 1)]);
	const cases = FORBIDDEN.map((c) =>
		tracx(
			c.id,
			credential(c.credential),
			{ ...c.parameters, participant: autoMap },
			{ onError: 'continueRegularOutput' },
		),
	);
	const workflow = chain('stop403', [start, one]);
	workflow.nodes.push(...cases);
	cases.forEach((n, i) => (n.position = [440, i * 160]));
	workflow.connections.One = {
		main: [cases.map((n) => ({ node: n.name, type: 'main', index: 0 }))],
	};
	return workflow;
}

const FORBIDDEN = [
	{
		name: 'bulk write to an event outside the scope',
		id: 'stop403Scope',
		credential: 'stopEvent1',
		parameters: { resource: 'participant', operation: 'upsertMany', event: rl('2'), race: rl('3') },
		message: "Tracx event 2 is outside the connect token's scope",
		description: 'event 2 is not among the events this connect token may see',
	},
	{
		name: 'bulk write without the permission',
		id: 'stop403Perm',
		credential: 'stopNoBulk',
		parameters: { resource: 'participant', operation: 'upsertMany', event: rl('1'), race: rl('1') },
		message: 'The Tracx connect token lacks the permission permissions.participants.store-multiple',
		description: 'The token may see event 1',
	},
	{
		name: 'bulk write by a token that may not list events',
		id: 'stop403Both',
		credential: 'stopWriteEvent1',
		parameters: { resource: 'participant', operation: 'upsertMany', event: rl('2'), race: rl('3') },
		message:
			'The Tracx connect token lacks the permission permissions.participants.store-multiple, or event 2 is outside its scope',
		description: 'Tracx answers 403 for both causes',
	},
	{
		name: 'single write to a race outside the scope',
		id: 'stop403RScope',
		credential: 'stopEvent1',
		parameters: { resource: 'participant', operation: 'upsert', race: rl('3') },
		message: "Tracx race 3 is outside the connect token's scope",
		description: 'race 3 is not among the races this connect token may see',
	},
	{
		name: 'single write without the permission',
		id: 'stop403RPerm',
		credential: 'stopNoSingle',
		parameters: { resource: 'participant', operation: 'upsert', race: rl('1') },
		message: 'The Tracx connect token lacks the permission permissions.participants.store',
		description: 'The token may see race 1',
	},
];

describe.each(selectedRuntimes())('Stop and 403 in real n8n (%s)', (runtimeKey) => {
	let sandbox;
	let n8n;
	let started;
	/** How long this file waited for the shared n8n (started by globalSetup) to be ready. */
	let waited;

	function report(label, figures) {
		process.stdout.write(`[stop ${runtimeKey}] ${label}: ${JSON.stringify(figures)}\n`);
	}

	const lastSeq = () => sandbox.control.requests({}).items.at(-1)?.seq ?? 0;
	const startOf = (entry) => Date.parse(entry.time) - entry.durationMs;

	/**
	 * Waits until the sandbox has logged every request that reached it before now: it sleeps
	 * the same latency for each request, in arrival order, so once a request sent now has
	 * been answered, the earlier ones (those cut off by a stop included) are logged.
	 */
	async function sandboxCaughtUp() {
		const answer = await fetch(`${sandbox.baseUrl}/events`, {
			signal: AbortSignal.timeout(30_000),
		}).catch((error) => {
			throw new Error(`waiting for the sandbox to answer a request sent after the stop: ${error}`);
		});
		// no token: the sandbox answers it with 401 after the latency, and logs it
		expect(answer.status).toBe(401);
	}

	/**
	 * Waits until n8n logged (debug level, both majors) that the Tracx node of workflow `id`
	 * returned: "Running node "Tracx" finished …" with the workflow's id, in the log after
	 * `logFrom` (a length of logText()).
	 */
	async function tracxReturned(id, logFrom) {
		const workflowId = n8n.workflowId(id);
		await waitFor(`n8n to log that the Tracx node of ${id} returned after the stop`, () =>
			n8n
				.logText()
				.slice(logFrom)
				.split('\n')
				.some(
					(line) =>
						line.includes('"Running node \\"Tracx\\" finished') &&
						line.includes(`"workflowId":"${workflowId}"`),
				),
		);
	}

	/**
	 * Starts the workflow by its webhook, waits until `stopAfter` requests of `route` reached
	 * the sandbox, stops the execution as the editor does and returns what the sandbox saw.
	 */
	async function stopMidway({ id, hook, route, stopAfter, latencyMs }) {
		sandbox.control.latency({ ms: latencyMs });
		const since = lastSeq();
		const logFrom = n8n.logText().length;
		const onRoute = () =>
			sandbox.control.requests({ since }).items.filter((r) => r.route === route);
		const answer = await fetch(`${n8n.url}/webhook/${hook}`, { method: 'POST' });
		expect(answer.status).toBe(200);
		const execution = await waitFor(`a running execution of ${id}`, async () =>
			(await n8n.executionsOf(id)).find((e) => e.status === 'running'),
		);
		await waitFor(`${stopAfter} × ${route}`, () => onRoute().length >= stopAfter);
		const stop = await n8n.rest('POST', `/rest/executions/${execution.id}/stop`);
		expect(stop.status).toBe(200);
		// The stop as the sandbox sees it: a request sent once n8n has answered the stop. The
		// sandbox takes requests in the order they arrive, so every request n8n sent before it
		// applied the stop is taken before this one, however late this busy process gets to
		// them; its start is the line no request of the node may cross.
		const marker = fetch(`${sandbox.baseUrl}/events`, {
			signal: AbortSignal.timeout(30_000),
		});
		await waitFor(`${id} to end`, async () =>
			(await n8n.executionsOf(id)).every((e) => e.status !== 'running' && e.status !== 'new'),
		);
		// what the node sent before its code returned has reached the sandbox; requests cut
		// off by the stop are logged once the sandbox has finished them
		await tracxReturned(id, logFrom);
		expect((await marker).status).toBe(401);
		await sandboxCaughtUp();
		sandbox.control.latency({ ms: 0 });
		const requests = onRoute();
		const markerEntry = sandbox.control
			.requests({ since })
			.items.find((r) => r.route === 'GET /events' && r.status === 401);
		const stoppedAt = startOf(markerEntry);
		const final = (await n8n.executionsOf(id)).find((e) => e.id === execution.id);
		const stored = await n8n.restData('GET', `/rest/executions/${execution.id}`);
		const resultData = n8n.flatted.parse(stored.data).resultData;
		return {
			executionId: execution.id,
			status: final?.status,
			runError: resultData.error?.message ?? null,
			nodeError: resultData.runData?.Tracx?.[0]?.error?.message ?? null,
			startedAfterStop: requests.filter((r) => startOf(r) > stoppedAt).length,
			beforeStop: requests.filter((r) => Date.parse(r.time) <= stoppedAt).length,
			cutOff: requests.filter((r) => startOf(r) <= stoppedAt && Date.parse(r.time) > stoppedAt)
				.length,
			total: requests.length,
			accepted: requests.filter((r) => r.status === 200 || r.status === null).length,
		};
	}

	beforeAll(async () => {
		started = Date.now();
		sandbox = await startSandbox({ bulkDelayMs: 20 });
		for (const token of TOKENS) sandbox.control.connectTokens(token);
		n8n = await sharedN8n(runtimeKey);
		waited = Date.now() - started;
		await n8n.importCredentials(
			Object.entries(CREDENTIALS).map(([id, connectToken]) => ({
				...credential(id),
				type: 'tracxConnectApi',
				data: { baseUrl: sandbox.baseUrl, connectToken },
			})),
		);
		const workflows = [
			...Object.values(IMPORTS).map((spec) =>
				chain(spec.id, [
					webhook(spec.hook, 'onReceived'),
					generated(spec.prefix, spec.count),
					tracx('Tracx', credential('stopAll'), spec.tracx),
				]),
			),
			chain('stopExchange', [
				webhook('tracx-stop-exchange', 'onReceived'),
				tracx('Tracx', credential('stopExchange'), {
					resource: 'event',
					operation: 'getAll',
					returnAll: true,
				}),
			]),
			forbiddenWorkflow(),
		];
		await n8n.importWorkflows(workflows);
		for (const workflow of workflows) await n8n.publishWorkflow(workflow.id);
	});

	afterAll(async () => {
		await n8n?.cleanup();
		await sandbox?.close();
		process.stderr.write(
			`[e2e] stop.test.js ${runtimeKey}: ${Math.round((Date.now() - started) / 1000)} s ` +
				`(${Math.round(waited / 1000)} s of it waiting for the shared n8n)\n`,
		);
	});

	test.each(Object.entries(IMPORTS))(
		'Stop during %s starts no request after the stop; what Tracx accepted stays stored',
		async (name, spec) => {
			const logBefore = n8n.logText().length;
			const seen = await stopMidway(spec);
			sandbox.control.flushImports();
			const stored = sandbox.control
				.participants({ event_id: 1 })
				.items.filter((p) => p.unique_id.startsWith(`${spec.prefix}-`)).length;
			const perRequest = name === 'upsert' ? 1 : spec.tracx.options.batchSize;
			report(`stop ${name}`, { ...seen, stored, of: spec.count });
			expect(seen.status).toBe('canceled');
			expect(seen.startedAfterStop).toBe(0);
			expect(seen.beforeStop).toBeGreaterThanOrEqual(spec.stopAfter);
			expect(seen.total).toBeLessThan(spec.count / perRequest);
			// every request Tracx answered 200, cut off in flight or not, stored its participants
			expect(stored).toBe(seen.accepted * perRequest);
			const logged = n8n.logText().slice(logBefore);
			// n8n 2.x logs what the stopped node threw (1.x does not, at info level): a stop,
			// not the aborted request's "Could not reach Tracx … (ERR_CANCELED)"
			expect(logged).not.toContain('Could not reach Tracx');
			if (runtimeKey === 'n8n2') expect(logged).toContain('"message":"The execution was stopped"');
		},
	);

	test('Stop during the retry wait of the session-token exchange sends no further exchange', async () => {
		const retryAfter = 4;
		sandbox.control.faults({
			status: 503,
			count: 3,
			retryAfter,
			routes: ['POST /session-token'],
		});
		const since = lastSeq();
		const logFrom = n8n.logText().length;
		const exchanges = () =>
			sandbox.control.requests({ since }).items.filter((r) => r.route === 'POST /session-token');
		await fetch(`${n8n.url}/webhook/tracx-stop-exchange`, { method: 'POST' });
		const execution = await waitFor('a running execution of stopExchange', async () =>
			(await n8n.executionsOf('stopExchange')).find((e) => e.status === 'running'),
		);
		await waitFor('the first exchange', () => exchanges().length >= 1);
		await n8n.rest('POST', `/rest/executions/${execution.id}/stop`);
		await tracxReturned('stopExchange', logFrom);
		// Without the stop the exchange would try again once the 503's Retry-After has passed,
		// in the node or in an exchange left running after it returned: no retry can be seen
		// before that moment, so the check of absence waits for it (with a margin).
		const retryDue = Date.parse(exchanges()[0].time) + retryAfter * 1000 + RETRY_MARGIN_MS;
		await delay(Math.max(0, retryDue - Date.now()));
		report('stop during exchange wait', { exchanges: exchanges().map((r) => r.status) });
		expect(exchanges().map((r) => r.status)).toEqual([503]);
		expect(sandbox.control.requests({ since }).items.map((r) => r.route)).toEqual([
			'POST /session-token',
		]);
		sandbox.control.reset();
		for (const token of TOKENS) sandbox.control.connectTokens(token);
	});

	test('403: the message names the cause, scope or permission, or both when it cannot tell', async () => {
		await fetch(`${n8n.url}/webhook/tracx-stop-403`, { method: 'POST' });
		const done = await waitFor('the 403 workflow to finish', async () =>
			(await n8n.executionsOf('stop403')).find((e) => e.status !== 'running' && e.status !== 'new'),
		);
		expect(done.status).toBe('success');
		const execution = await n8n.restData('GET', `/rest/executions/${done.id}`);
		const run = { data: n8n.flatted.parse(execution.data) };
		const seen = FORBIDDEN.map((c) => {
			const [error] = outputOf(run, c.id).map((json) => json.error);
			report(`403 ${c.name}`, error);
			return {
				case: c.name,
				message: error?.message,
				named: error?.description.includes(c.description),
			};
		});
		expect(seen).toEqual(FORBIDDEN.map((c) => ({ case: c.name, message: c.message, named: true })));
	});
});
