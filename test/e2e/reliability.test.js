'use strict';

/**
 * Reliability and security in real n8n (1.x and 2.x) against the sandbox's fault knobs:
 * every fault either succeeds within the retry budget or fails with our message, with a
 * bounded number of exchanges and resends; parallel webhook runs on one credential; a
 * hostile Base URL; a crash in the middle of a bulk import; and no token anywhere in
 * outputs, stored executions, debug logs or the REST credential view.
 *
 * How it runs: on the shared n8n of each major (support/shared.js, debug logs), through its
 * REST API; webhooks are published there without a restart, under paths starting `rel-`.
 * The file's own sandbox takes the faults. Two scenarios wait by nature, so they start in
 * the background when the file attaches and the others run meanwhile, each on a sandbox
 * of its own so that no fault or reset of the others reaches them:
 * - the 34 s slow response (a second sandbox), on the shared n8n;
 * - the process killed in the middle of a bulk import (a third sandbox), on an n8n of this
 *   file's own (`N8n.create()`: killing `n8n execute` is the point), which also re-runs it.
 * The redirect cases run as one workflow whose parallel branches (each its own credential,
 * connect token and fault, set to continue on fail) carry one case each; each case is then
 * asserted on its own branch, its own requests and its own redirect target.
 * The final secret scan reads this file's stored executions (REST), the shared server's log
 * since the file attached, and the own instance's logs and database.
 */
const fs = require('node:fs');
const path = require('node:path');

const { startForeignHost, FOREIGN_SESSION_TOKEN } = require('../sandbox/foreign-host');
const { startSandbox } = require('../sandbox/server');
const { selectedRuntimes } = require('./support/install');
const { waitFor } = require('./support/wait');
const { N8n, freePort, signalGroup } = require('./support/n8n');
const { sharedN8n } = require('./support/shared');
const {
	chain,
	errorOf,
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
jest.setTimeout(10 * 60_000);

const REDIRECT_STATUSES = [301, 302, 307, 308];
/** The redirect cases: each a branch of one workflow, with its own connect token. */
const REDIRECT_KINDS = ['exchange', 'api', 'http'];
const movedToken = (kind, status) => `fake-connect-token-moved-${kind}-${status}`;

const CONNECT_TOKENS = [
	'fake-connect-token-all',
	'fake-connect-token-write',
	'fake-connect-token-doomed',
	'fake-connect-token-no-token',
	'fake-connect-token-no-expiry',
	...REDIRECT_KINDS.flatMap((kind) => REDIRECT_STATUSES.map((s) => movedToken(kind, s))),
];
const JWT = /eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]+/;

const participant = (n, overrides) => record('REL', n, overrides);

/**
 * Connect tokens of this file's own: one for the revocation case, so revoking it spares the
 * others, one each for the two cases whose renewal fails, and one per redirect case, so that
 * each case's requests and fault are its own.
 * A sandbox reset drops them; they are added again after each.
 */
function addFileTokens(sandbox) {
	for (const label of ['doomed', 'no-token', 'no-expiry']) {
		sandbox.control.connectTokens({
			token: `fake-connect-token-${label}`,
			label,
			permissions: ['permissions.events.list'],
			events: null,
		});
	}
	for (const kind of REDIRECT_KINDS) {
		for (const status of REDIRECT_STATUSES) {
			sandbox.control.connectTokens({
				token: movedToken(kind, status),
				label: `moved-${kind}-${status}`,
				permissions: ['permissions.events.list'],
				events: null,
			});
		}
	}
}

/** A workflow whose trigger feeds every other node at once: parallel branches of one node each. */
function fanOut(id, trigger, branches) {
	trigger.position = [0, 0];
	branches.forEach((branch, i) => (branch.position = [220, i * 160]));
	const targets = branches.map((branch) => ({ node: branch.name, type: 'main', index: 0 }));
	return {
		id,
		name: id,
		active: false,
		nodes: [trigger, ...branches],
		connections: { [trigger.name]: { main: [targets] } },
		settings: { executionOrder: 'v1' },
	};
}

describe.each(selectedRuntimes())('reliability in real n8n (%s)', (runtimeKey) => {
	let sandbox;
	let n8n;
	/** The own n8n of the crash scenario, and the sandboxes of the two background scenarios. */
	let own;
	let crashSandbox;
	let slowSandbox;
	/** Background scenarios, started in beforeAll and awaited by their tests. */
	let slowRun;
	let crashRun;
	/** The foreign host redirects point to, the one run of the redirect cases, and its export. */
	let foreign;
	let run;
	let exportingMoved;
	/** Everything n8n handed back to the suite, scanned for tokens at the end. */
	const seenOutput = [];
	/** The executions this file's manual runs made on the shared n8n (the scan reads them all). */
	const manualExecutions = [];
	const credential = (id) => ({ id, name: `Tracx ${id}` });
	const tracxCredential = (id, data, on = sandbox) => ({
		...credential(id),
		type: 'tracxConnectApi',
		data: { baseUrl: on.baseUrl, ...data },
	});

	/** Runs a workflow on `runner` (the shared n8n by default) and reads what `on` saw meanwhile. */
	async function execute(workflowId, { runner = n8n, on = sandbox } = {}) {
		const before = on.stats();
		const since = on.control.requests({}).items.at(-1)?.seq ?? 0;
		const started = Date.now();
		const outcome = await runner.execute(workflowId);
		seenOutput.push(outcome.stdout, outcome.stderr);
		if (outcome.executionId) manualExecutions.push(outcome.executionId);
		// `n8n execute` sometimes dies of a signal (139 SIGSEGV, 134 SIGABRT) after printing the
		// whole run: judge by the run
		if (outcome.code >= 128 && outcome.result?.data?.resultData) {
			report(`n8n execute ${workflowId} exited ${outcome.code} after a complete run`, {});
			outcome.code = errorOf(outcome.result) ? 1 : 0;
		}
		const requests = on.control.requests({ since }).items;
		return {
			...outcome,
			seconds: (Date.now() - started) / 1000,
			message: errorOf(outcome.result)?.message ?? null,
			exchanges: on.stats().exchanges.total - before.exchanges.total,
			exchangeAttempts: requests.filter((r) => r.route === 'POST /session-token').length,
			apiCalls: requests.filter((r) => r.route !== 'POST /session-token'),
		};
	}

	function report(label, figures) {
		process.stdout.write(`[reliability ${runtimeKey}] ${label}: ${JSON.stringify(figures)}\n`);
	}

	const eventsWorkflow = (id, credentialId) =>
		chain(id, [
			manualTrigger(),
			tracx('Events', credential(credentialId), {
				resource: 'event',
				operation: 'getAll',
				returnAll: true,
			}),
		]);

	/** A start list sent in batches of 2 to event 1, as a user's bulk import would be. */
	const bulkWorkflow = (id, list, credentialId = 'relAll') =>
		chain(id, [
			manualTrigger(),
			records('Start list', list),
			tracx('Upsert many', credential(credentialId), {
				resource: 'participant',
				operation: 'upsertMany',
				event: rl('1'),
				race: rl('={{ $json.race_id }}'),
				participant: autoMap,
				options: { batchSize: 2 },
			}),
		]);

	/** 16 participants: 8 batches of 2; the node sends 4 at a time. */
	const CRASH_LIST = Array.from({ length: 16 }, (_, i) => participant(200 + i));

	/**
	 * A response slower than the 30 s timeout, on a sandbox of its own: it runs while the
	 * other scenarios do.
	 */
	async function slowResponse() {
		slowSandbox = await startSandbox({ bulkDelayMs: 20 });
		await n8n.importCredentials([
			tracxCredential('relSlow', { connectToken: 'fake-connect-token-all' }, slowSandbox),
		]);
		await n8n.importWorkflows([eventsWorkflow('relSlowEvents', 'relSlow')]);
		// the stored session token exists before the slow call, as in the fault matrix
		const warm = await execute('relSlowEvents', { on: slowSandbox });
		if (warm.code !== 0) throw new Error(`the warm-up run failed: ${warm.message}`);
		slowSandbox.control.faults({ kind: 'slow', ms: 34_000, count: 1, routes: ['GET /events'] });
		const since = slowSandbox.control.requests({}).items.at(-1)?.seq ?? 0;
		const outcome = await execute('relSlowEvents', { on: slowSandbox });
		// the sandbox logs a request once it has answered it: the abandoned one after its 34 s,
		// which is after the run (with the retry) has finished
		const logged = () => slowSandbox.control.requests({ since }).items;
		await waitFor(
			'the sandbox to log the abandoned slow request',
			() => logged().some((r) => r.fault === 'slow'),
			{ ms: 120_000 },
		);
		return { ...outcome, apiCalls: logged().filter((r) => r.route !== 'POST /session-token') };
	}

	/**
	 * `n8n execute` of a bulk import killed once some batches reached Tracx, then run again by
	 * the same n8n: on an own instance and a sandbox of its own (with latency), in the background.
	 */
	async function killedBulkImport() {
		crashSandbox = await startSandbox({ bulkDelayMs: 20 });
		await own.importCredentials([
			tracxCredential('relCrash', { connectToken: 'fake-connect-token-all' }, crashSandbox),
		]);
		await own.importWorkflow(bulkWorkflow('relCrashBulk', CRASH_LIST, 'relCrash'));
		crashSandbox.control.latency({ ms: 1500 });
		const since = crashSandbox.control.requests({}).items.at(-1)?.seq ?? 0;
		const bulkRequests = () =>
			crashSandbox.control
				.requests({ since })
				.items.filter((r) => r.route === 'POST /events/{event_id}/participants');
		const child = own.spawn(['execute', '--id=relCrashBulk', '--rawOutput'], {
			N8N_RUNNERS_BROKER_PORT: String(await freePort()),
		});
		let exited = false;
		child.exited.then(() => (exited = true));
		try {
			await waitFor(
				'2 bulk requests of the `n8n execute` to be killed to reach the sandbox',
				() => bulkRequests().length >= 2 || exited,
				{ ms: 120_000 },
			);
		} finally {
			signalGroup(child.pid, 'SIGKILL');
			await child.exited;
		}
		crashSandbox.control.latency({ ms: 0 });
		const beforeRerun = bulkRequests().length;
		const rerun = await execute('relCrashBulk', { runner: own, on: crashSandbox });
		crashSandbox.control.flushImports();
		const stored = crashSandbox.control
			.participants({ event_id: 1 })
			.items.filter((p) => p.unique_id.startsWith('REL-2'));
		return { beforeRerun, rerun, stored };
	}

	/**
	 * The redirect cases: one workflow carries every case as a branch of its own. The Start
	 * node feeds a node per case, each with its own credential and connect token (so the
	 * sandbox's log and its faults tell the cases apart by label) and its own redirect target
	 * path on the foreign host. The nodes continue on fail, so every branch runs; the workflow
	 * runs once (in beforeAll) and each test of 'redirects: no token follows one' asserts its
	 * own branch of that run.
	 */
	const moved = (status) =>
		`Tracx answered with a redirect (HTTP ${status}) to ${foreign.origin}, which is not followed — check the Base URL of the Tracx credential`;
	const credentialOf = (kind, status) =>
		({ exchange: 'relMoved', api: 'relMovedApi', http: 'relMovedHttp' })[kind] + status;
	const nodeOf = (kind, status) =>
		`${{ exchange: 'Exchange', api: 'API call', http: 'HTTP Request' }[kind]} ${status}`;
	const labelOf = (kind, status) => `moved-${kind}-${status}`;
	/** Each case redirects to a path of its own, so what reaches the foreign host names its case. */
	const targetOf = (kind, status) => `/${labelOf(kind, status)}/v1/connect`;

	const eventsNode = (kind, status) =>
		tracx(
			nodeOf(kind, status),
			credential(credentialOf(kind, status)),
			{ resource: 'event', operation: 'getAll', returnAll: true },
			{ onError: 'continueRegularOutput' },
		);
	const httpNode = (status) =>
		node(
			nodeOf('http', status),
			'n8n-nodes-base.httpRequest',
			4.2,
			{
				url: `${sandbox.baseUrl}/events`,
				authentication: 'predefinedCredentialType',
				nodeCredentialType: 'tracxConnectApi',
				options: {},
			},
			{
				credentials: { tracxConnectApi: credential(credentialOf('http', status)) },
				onError: 'continueRegularOutput',
			},
		);

	async function runRedirectCases() {
		// exchange cases: credentials that have no session token yet, so their first call
		// exchanges; API and HTTP Request cases: credentials that hold one (warmed up below)
		await n8n.importCredentials(
			REDIRECT_KINDS.flatMap((kind) =>
				REDIRECT_STATUSES.map((status) =>
					tracxCredential(credentialOf(kind, status), { connectToken: movedToken(kind, status) }),
				),
			),
		);
		await n8n.importWorkflows([
			fanOut(
				'relMovedWarm',
				manualTrigger(),
				REDIRECT_STATUSES.flatMap((s) => [eventsNode('api', s), eventsNode('http', s)]),
			),
			fanOut(
				'relMoved',
				manualTrigger(),
				REDIRECT_STATUSES.flatMap((s) => [
					eventsNode('exchange', s),
					eventsNode('api', s),
					httpNode(s),
				]),
			),
		]);
		const warm = await execute('relMovedWarm');
		for (const s of REDIRECT_STATUSES) {
			for (const kind of ['api', 'http']) {
				expect({ [nodeOf(kind, s)]: outputOf(warm.result, nodeOf(kind, s)).length }).toEqual({
					[nodeOf(kind, s)]: 3,
				});
			}
		}

		for (const status of REDIRECT_STATUSES) {
			sandbox.control.faults({
				kind: 'redirect',
				status,
				location: `${foreign.origin}${targetOf('exchange', status)}/session-token`,
				routes: ['POST /session-token'],
				label: labelOf('exchange', status),
			});
			sandbox.control.faults({
				kind: 'redirect',
				status,
				location: `${foreign.origin}${targetOf('api', status)}/events?from=tracx`,
				routes: ['GET /events'],
				label: labelOf('api', status),
			});
			// n8n renews the session token after any error on this path and resends once
			sandbox.control.faults({
				kind: 'redirect',
				status,
				count: 2,
				location: `${foreign.origin}${targetOf('http', status)}/events`,
				routes: ['GET /events'],
				label: labelOf('http', status),
			});
		}
		const before = sandbox.stats().exchanges.byLabel;
		const since = sandbox.control.requests({}).items.at(-1)?.seq ?? 0;
		const outcome = await execute('relMoved');
		const after = sandbox.stats();
		return {
			result: outcome.result,
			requests: sandbox.control.requests({ since }).items,
			exchangesByLabel: Object.fromEntries(
				Object.entries(after.exchanges.byLabel).map(([label, n]) => [
					label,
					n - (before[label] ?? 0),
				]),
			),
			pendingFaults: after.pendingFaults,
			foreignRequests: [...foreign.requests],
		};
	}

	/** Starts a background scenario; its test awaits it (a failure is reported there, not here). */
	function inBackground(work) {
		const running = work();
		running.catch(() => {});
		return running;
	}

	/** Every credential exported decrypted, by n8n's CLI (a process of a few seconds). */
	async function exportAllCredentials() {
		const file = n8n.scratchFile('export');
		await n8n.runOk(['export:credentials', '--all', '--decrypted', `--output=${file}`]);
		const exported = JSON.parse(fs.readFileSync(file, 'utf8'));
		fs.rmSync(file);
		return exported;
	}

	let startedAt;

	beforeAll(async () => {
		startedAt = Date.now();
		sandbox = await startSandbox({ bulkDelayMs: 20 });
		addFileTokens(sandbox);
		foreign = await startForeignHost({ host: '127.0.0.2' });
		// the own instance first: its package install blocks this process for a moment, which
		// is better over before the REST traffic starts
		own = await N8n.create({ runtimeKey, packageDir: PACKAGE_DIR, logLevel: 'debug' });
		n8n = await sharedN8n(runtimeKey);
		crashRun = inBackground(killedBulkImport);
		slowRun = inBackground(slowResponse);
		await n8n.importCredentials([
			tracxCredential('relAll', { connectToken: 'fake-connect-token-all' }),
			// the two cases whose renewal fails each have a credential of their own: n8n keeps
			// running, and a failed renewal is shared with the credential's next renewals for a
			// few seconds (renewal.ts), which would hand it to the next case
			tracxCredential('relNoToken', { connectToken: 'fake-connect-token-no-token' }),
			tracxCredential('relNoExpiry', { connectToken: 'fake-connect-token-no-expiry' }),
			tracxCredential('relWrite', { connectToken: 'fake-connect-token-write' }),
			tracxCredential('relDoomed', { connectToken: 'fake-connect-token-doomed' }),
			tracxCredential('relUserInfo', {
				connectToken: 'fake-connect-token-all',
				baseUrl: sandbox.baseUrl.replace('http://', 'http://someone:pw@'),
			}),
			tracxCredential('relPlainHttp', {
				connectToken: 'fake-connect-token-all',
				baseUrl: 'http://tracx.example.invalid/v1/connect',
			}),
			tracxCredential('relPathTrick', {
				connectToken: 'fake-connect-token-all',
				baseUrl: `${sandbox.baseUrl}/../../elsewhere`,
			}),
		]);
		await n8n.importWorkflows([
			eventsWorkflow('relEvents', 'relAll'),
			eventsWorkflow('relNoToken', 'relNoToken'),
			eventsWorkflow('relNoExpiry', 'relNoExpiry'),
			eventsWorkflow('relForbidden', 'relWrite'),
			eventsWorkflow('relDoomed', 'relDoomed'),
			chain('relUnknownEvent', [
				manualTrigger(),
				records('One', [participant(1)]),
				tracx('Upsert many', credential('relAll'), {
					resource: 'participant',
					operation: 'upsertMany',
					event: rl('999'),
					race: rl('={{ $json.race_id }}'),
					participant: autoMap,
				}),
			]),
			chain('relRejected', [
				manualTrigger(),
				records('Unknown race', [participant(2, { race_id: 999 })]),
				tracx('Upsert', credential('relAll'), {
					resource: 'participant',
					operation: 'upsert',
					race: rl('={{ $json.race_id }}'),
					participant: autoMap,
				}),
			]),
		]);
		// warm up: the stored session token exists before the fault matrix starts
		for (const id of ['relEvents', 'relNoToken', 'relNoExpiry']) {
			expect({ id, code: (await execute(id)).code }).toEqual({ id, code: 0 });
		}
		run = await runRedirectCases();
		report('redirect workflow', {
			code: run.code,
			seconds: run.seconds,
			requests: run.requests.length,
			foreignRequests: run.foreignRequests.length,
		});
		// nothing touches those credentials after their run: the export runs meanwhile
		exportingMoved = inBackground(exportAllCredentials);
	});

	afterAll(async () => {
		// the background scenarios end before what they use is taken down
		await Promise.allSettled([crashRun, slowRun, exportingMoved]);
		await foreign?.close();
		await n8n?.cleanup();
		await own?.cleanup();
		await sandbox?.close();
		await crashSandbox?.close();
		await slowSandbox?.close();
		report('time for this major', { seconds: (Date.now() - startedAt) / 1000 });
	});

	describe('fault matrix', () => {
		const EVENTS = ['GET /events'];
		const cases = [
			{
				name: 'expired session token',
				setup: (s) => s.control.expireAll(),
				ok: true,
				exchanges: 1,
				calls: [401, 200],
			},
			{
				name: '429 with Retry-After',
				setup: (s) => s.control.faults({ status: 429, count: 2, retryAfter: 1, routes: EVENTS }),
				ok: true,
				exchanges: 0,
				calls: [429, 429, 200],
			},
			{
				name: '429 without Retry-After',
				setup: (s) => s.control.faults({ status: 429, count: 1, routes: EVENTS }),
				ok: true,
				exchanges: 0,
				calls: [429, 200],
			},
			{
				name: '500',
				setup: (s) => s.control.faults({ status: 500, count: 1, routes: EVENTS }),
				ok: true,
				exchanges: 0,
				calls: [500, 200],
			},
			{
				name: '502 HTML error page',
				setup: (s) => s.control.faults({ kind: 'html', status: 502, count: 1, routes: EVENTS }),
				ok: true,
				exchanges: 0,
				calls: [502, 200],
			},
			{
				name: 'connection reset',
				setup: (s) => s.control.faults({ kind: 'drop', count: 1, routes: EVENTS }),
				ok: true,
				exchanges: 0,
				callCount: 2,
			},
			{
				name: '503 beyond the retry budget',
				setup: (s) => s.control.faults({ status: 503, count: 4, routes: EVENTS }),
				message: 'Tracx failed to process the request (HTTP 503) after 4 attempts',
				exchanges: 0,
				calls: [503, 503, 503, 503],
			},
			{
				name: 'Retry-After longer than the node waits',
				setup: (s) => s.control.faults({ status: 429, count: 1, retryAfter: 600, routes: EVENTS }),
				message: 'Tracx asked to wait 600 s before retrying, longer than this node waits (60 s)',
				exchanges: 0,
				calls: [429],
			},
			{
				name: 'malformed JSON',
				setup: (s) => s.control.faults({ kind: 'malformed', count: 1, routes: EVENTS }),
				message: 'Tracx answered with a response this node does not understand',
				exchanges: 0,
				calls: [200],
			},
			{
				name: '401 on every call',
				setup: (s) => s.control.faults({ status: 401, count: 5, routes: EVENTS }),
				message:
					'Tracx rejected the session token even after renewing it — the connect token may have been revoked',
				exchanges: 1,
				calls: [401, 401],
				after: (s) => {
					s.control.reset(); // drops the faults this case did not use up
					addFileTokens(s);
				},
			},
			{
				name: 'session-token answer without a token',
				workflow: 'relNoToken',
				setup: (s) => {
					s.control.expireAll();
					s.control.faults({ kind: 'session-missing-token', count: 1 });
				},
				message:
					'Tracx answered without a session token — check that the Base URL points to the Tracx Connect API',
				exchanges: 0,
				exchangeAttempts: 1,
				calls: [401],
			},
			{
				name: 'session-token answer without expires_at',
				workflow: 'relNoExpiry',
				setup: (s) => {
					s.control.expireAll();
					s.control.faults({ kind: 'session-missing-expires', count: 1 });
				},
				message:
					'Tracx answered without a session token — check that the Base URL points to the Tracx Connect API',
				// the sandbox did issue a token (it only left out expires_at); the node refused it
				exchanges: 1,
				exchangeAttempts: 1,
				calls: [401],
			},
		];

		test.each(cases)('$name', async (scenario) => {
			scenario.setup(sandbox);
			const outcome = await execute(scenario.workflow ?? 'relEvents');
			scenario.after?.(sandbox);
			if (scenario.ok) {
				expect({ code: outcome.code, message: outcome.message }).toEqual({
					code: 0,
					message: null,
				});
				expect(outputOf(outcome.result, 'Events')).toHaveLength(3);
			} else {
				expect({ code: outcome.code, message: outcome.message }).toEqual({
					code: 1,
					message: scenario.message,
				});
			}
			expect(outcome.exchanges).toBe(scenario.exchanges);
			if (scenario.exchangeAttempts !== undefined)
				expect(outcome.exchangeAttempts).toBe(scenario.exchangeAttempts);
			if (scenario.calls) expect(outcome.apiCalls.map((r) => r.status)).toEqual(scenario.calls);
			if (scenario.callCount) expect(outcome.apiCalls).toHaveLength(scenario.callCount);
			expect(outcome.seconds).toBeLessThan(60);
		});

		test('a response slower than the 30 s timeout is abandoned and retried', async () => {
			// started in beforeAll on a sandbox of its own (slowResponse)
			const outcome = await slowRun;
			expect({ code: outcome.code, message: outcome.message }).toEqual({ code: 0, message: null });
			expect(outcome.apiCalls).toHaveLength(2);
			expect(outcome.seconds).toBeGreaterThan(29);
			expect(outcome.seconds).toBeLessThan(50);
		});

		test('a revoked connect token', async () => {
			expect((await execute('relDoomed')).code).toBe(0);
			sandbox.control.revoke({ label: 'doomed' });
			const outcome = await execute('relDoomed');
			expect({ code: outcome.code, message: outcome.message }).toEqual({
				code: 1,
				message: 'Tracx did not accept the connect token — check it in the Tracx Dashboard',
			});
			expect(outcome.exchangeAttempts).toBe(1);
			// one call, or two when the call first tried a token stored meanwhile: all refused
			expect(outcome.apiCalls.length).toBeGreaterThanOrEqual(1);
			expect(outcome.apiCalls.length).toBeLessThanOrEqual(2);
			expect(outcome.apiCalls.every((r) => r.status === 401)).toBe(true);
		});

		test('403, 404 and 422 fail at once with our messages', async () => {
			// the sandbox was reset since relAll's session token was issued: renew it first, so
			// that the calls below are the only ones
			expect((await execute('relEvents')).code).toBe(0);
			const forbidden = await execute('relForbidden');
			expect(forbidden.message).toBe(
				'The Tracx connect token lacks the permission permissions.events.list',
			);
			expect(forbidden.apiCalls.map((r) => r.status)).toEqual([403]);
			const unknownEvent = await execute('relUnknownEvent');
			expect(unknownEvent.message).toBe('Tracx event 999 not found');
			expect(unknownEvent.apiCalls.map((r) => r.status)).toEqual([404]);
			const rejected = await execute('relRejected');
			expect(rejected.message).toBe(
				'Tracx rejected the data: race_id: The selected race id is invalid.',
			);
			expect(rejected.apiCalls.map((r) => r.status)).toEqual([422]);
		});
	});

	describe('hostile Base URL', () => {
		test.each([
			[
				'relUserInfo',
				'The Base URL of the Tracx credential must not contain a user name or password',
			],
			[
				'relPlainHttp',
				'The Base URL of the Tracx credential must use https (plain http is accepted only for 127.0.0.1, localhost and ::1)',
			],
		])('%s is refused before any request', async (credentialId, message) => {
			await n8n.importWorkflow(eventsWorkflow(`wf${credentialId}`, credentialId));
			const outcome = await execute(`wf${credentialId}`);
			expect({ code: outcome.code, message: outcome.message }).toEqual({ code: 1, message });
			expect(outcome.exchangeAttempts + outcome.apiCalls.length).toBe(0);
		});

		test('a path that climbs out of the base path stays on the same host', async () => {
			await n8n.importWorkflow(eventsWorkflow('wfPathTrick', 'relPathTrick'));
			const outcome = await execute('wfPathTrick');
			expect(outcome.message).toBe(
				'No Tracx Connect API answered at this Base URL — check the Base URL of the Tracx credential',
			);
			expect(outcome.apiCalls.map((r) => [r.path, r.status])).toEqual([
				['/elsewhere/session-token', 404],
			]);
		});
	});

	/**
	 * Each test asserts its own branch of the one run of the redirect cases (runRedirectCases,
	 * in beforeAll): its node's output, its requests in the sandbox's log (by connect-token
	 * label), its faults and its path on the foreign host.
	 */
	describe('redirects: no token follows one', () => {
		/** What the sandbox and the foreign host saw of one case during the run. */
		function caseOf(kind, status) {
			const label = labelOf(kind, status);
			const requests = run.requests.filter((r) => r.auth.label === label);
			return {
				items: outputOf(run.result, nodeOf(kind, status)),
				exchanges: run.exchangesByLabel[label] ?? 0,
				exchangeAttempts: requests.filter((r) => r.route === 'POST /session-token').length,
				apiCalls: requests.filter((r) => r.route !== 'POST /session-token'),
				foreignRequests: run.foreignRequests.filter((r) =>
					r.path.startsWith(targetOf(kind, status)),
				),
				pendingFaults: run.pendingFaults.filter((f) => f.label === label),
			};
		}

		/**
		 * Requests of the run that belong to no case: a request without a token (no label), or
		 * one that reached the foreign host outside the cases' paths. Each case checks these too,
		 * since they could come from its branch.
		 */
		function unattributed() {
			const labels = REDIRECT_KINDS.flatMap((k) => REDIRECT_STATUSES.map((s) => labelOf(k, s)));
			return {
				requests: run.requests.filter((r) => !labels.includes(r.auth.label)),
				foreign: run.foreignRequests.filter(
					(r) =>
						!REDIRECT_KINDS.some((k) =>
							REDIRECT_STATUSES.some((s) => r.path.startsWith(targetOf(k, s))),
						),
				),
			};
		}

		/** The error item a branch that continued on fail put out (the node's error, as thrown). */
		function branchError(items) {
			expect(items).toHaveLength(1);
			return items[0].error;
		}

		test.each(REDIRECT_STATUSES)(
			'%i on POST /session-token: the connect token stays home and nothing is stored',
			async (status) => {
				const outcome = caseOf('exchange', status);
				report(`redirect ${status} on the exchange`, {
					exchangeAttempts: outcome.exchangeAttempts,
					apiCalls: outcome.apiCalls.length,
					foreignRequests: outcome.foreignRequests.length,
				});
				const error = branchError(outcome.items);
				expect(error?.message).toBe(moved(status));
				expect(error?.description).toContain('no token was sent there');
				expect(outcome.exchangeAttempts).toBe(1);
				expect(outcome.apiCalls).toHaveLength(0);
				expect(outcome.foreignRequests).toEqual([]);
				expect(outcome.pendingFaults).toEqual([]);
				expect(unattributed()).toEqual({ requests: [], foreign: [] });
			},
		);

		test('none of those credentials stored a session token', async () => {
			// exported once the redirect workflow had run (exportAllCredentials, from beforeAll)
			const exported = await exportingMoved;
			const fileIds = new Map(
				REDIRECT_KINDS.flatMap((kind) =>
					REDIRECT_STATUSES.map((s) => [
						n8n.credentialId(credentialOf(kind, s)),
						credentialOf(kind, s),
					]),
				),
			);
			const ours = exported.filter((c) => fileIds.has(c.id));
			// the exchange cases' credentials: the ones whose first call was redirected
			const exchangeIds = REDIRECT_STATUSES.map((s) => credentialOf('exchange', s));
			const moved = ours.filter((c) => exchangeIds.includes(fileIds.get(c.id)));
			expect(moved.map((c) => fileIds.get(c.id)).sort()).toEqual(
				REDIRECT_STATUSES.map((s) => `relMoved${s}`),
			);
			for (const c of moved) expect(c.data.sessionToken ?? '').toBe('');
			expect(JSON.stringify(ours)).not.toContain(FOREIGN_SESSION_TOKEN);
		});

		test.each(REDIRECT_STATUSES)(
			'%i on an API call: not followed, the session token stays home',
			async (status) => {
				const outcome = caseOf('api', status);
				const error = branchError(outcome.items);
				expect(error?.message).toBe(moved(status));
				expect(error?.message).not.toContain('from=tracx');
				expect(outcome.exchangeAttempts).toBe(0);
				expect(outcome.apiCalls.map((r) => r.status)).toEqual([status]);
				expect(outcome.foreignRequests).toEqual([]);
				expect(outcome.pendingFaults).toEqual([]);
				expect(unattributed()).toEqual({ requests: [], foreign: [] });
			},
		);

		test.each(REDIRECT_STATUSES)(
			"%i: n8n's HTTP Request node with this credential does not follow a redirect either",
			async (status) => {
				const outcome = caseOf('http', status);
				report(`redirect ${status} under the HTTP Request node`, {
					items: outcome.items,
					exchanges: outcome.exchanges,
					apiCalls: outcome.apiCalls.map((r) => r.status),
					foreignRequests: outcome.foreignRequests.length,
				});
				expect(branchError(outcome.items)).toBeTruthy();
				expect(outcome.apiCalls.map((r) => r.status)).toEqual([status, status]);
				expect(outcome.exchanges).toBe(1);
				expect(outcome.foreignRequests).toEqual([]);
				expect(outcome.pendingFaults).toEqual([]);
				expect(unattributed()).toEqual({ requests: [], foreign: [] });
			},
		);
	});

	describe('bulk import interrupted', () => {
		test('a failing batch reports what was queued; a re-run completes without duplicates', async () => {
			const list = [1, 2, 3, 4, 5].map((n) => participant(100 + n));
			list.push(participant(106, { race_id: 999 }));
			await n8n.importWorkflow(bulkWorkflow('relPartialBulk', list));
			const failed = await execute('relPartialBulk');
			expect(failed.message).toBe(
				'Tracx rejected the data: item 5 (unique_id REL-106) race_id: The selected 1.race_id is invalid.',
			);
			const description = errorOf(failed.result).description;
			expect(description).toContain(
				'Failed at event 1 batch 3/3. Queued: event 1 batch 1/3 (2), event 1 batch 2/3 (2).',
			);
			expect(description).toContain('Running the workflow again is safe');
			sandbox.control.flushImports();
			const stored = () =>
				sandbox.control
					.participants({ event_id: 1 })
					.items.filter((p) => p.unique_id.startsWith('REL-10'));
			expect(
				stored()
					.map((p) => p.unique_id)
					.sort(),
			).toEqual(['REL-101', 'REL-102', 'REL-103', 'REL-104']);
		});

		test('n8n killed in the middle of a bulk import: a re-run leaves every participant exactly once', async () => {
			// started in beforeAll on an own n8n and a sandbox of its own (killedBulkImport)
			const { beforeRerun, rerun, stored } = await crashRun;
			expect(beforeRerun).toBeGreaterThanOrEqual(2);
			expect(beforeRerun).toBeLessThan(8);
			expect(rerun.code).toBe(0);
			expect(outputOf(rerun.result, 'Upsert many').flatMap((b) => b.unique_ids)).toEqual(
				CRASH_LIST.map((p) => p.unique_id),
			);
			expect(stored.map((p) => p.unique_id).sort()).toEqual(
				CRASH_LIST.map((p) => p.unique_id).sort(),
			);
		});
	});

	describe('under n8n start', () => {
		async function fire(count, webhookPath = 'rel-reliability') {
			const since = sandbox.control.requests({}).items.at(-1)?.seq ?? 0;
			const before = sandbox.stats().exchanges.total;
			const started = Date.now();
			const responses = await Promise.all(
				Array.from({ length: count }, async () => {
					const response = await fetch(`${n8n.url}/webhook/${webhookPath}`, {
						method: 'POST',
						signal: AbortSignal.timeout(120_000),
					});
					const text = await response.text();
					seenOutput.push(text);
					return response.status;
				}),
			);
			const requests = sandbox.control.requests({ since }).items;
			return {
				ok: responses.filter((s) => s === 200).length,
				failed: responses.filter((s) => s !== 200).length,
				exchanges: sandbox.stats().exchanges.total - before,
				exchangeAttempts: requests.filter((r) => r.route === 'POST /session-token').length,
				requests: requests.length,
				unauthorized: requests.filter((r) => r.status === 401).length,
				seconds: (Date.now() - started) / 1000,
			};
		}

		/** Webhook → Tracx (Event → Get Many, 1 event): one call to Tracx per execution. */
		const webhookWorkflow = (id, webhookPath, webhookId, credentialId) =>
			chain(id, [
				node(
					'Webhook',
					'n8n-nodes-base.webhook',
					2,
					{ httpMethod: 'POST', path: webhookPath, responseMode: 'lastNode', options: {} },
					{ webhookId },
				),
				tracx('Events', credential(credentialId), {
					resource: 'event',
					operation: 'getAll',
					returnAll: false,
					limit: 1,
				}),
			]);

		test('50 parallel webhook runs on one credential succeed, also when new tokens revoke old ones', async () => {
			// for the failing-renewal runs below: one credential Tracx answers 503 for, one it
			// does not know; neither holds a session token yet
			await n8n.importCredentials([
				tracxCredential('relStampede503', { connectToken: 'fake-connect-token-all' }),
				tracxCredential('relStampede401', { connectToken: 'fake-connect-token-unknown' }),
			]);
			await n8n.importWorkflows([
				webhookWorkflow(
					'relWebhook',
					'rel-reliability',
					'5d0f3c1e-7a2b-4c9d-8e6f-112233445566',
					'relAll',
				),
				webhookWorkflow(
					'relStampede503',
					'rel-stampede-503',
					'7a1e2b3c-4d5e-4f60-8172-8394a5b6c7d8',
					'relStampede503',
				),
				webhookWorkflow(
					'relStampede401',
					'rel-stampede-401',
					'8b2f3c4d-5e6f-4071-8283-94a5b6c7d8e9',
					'relStampede401',
				),
			]);
			// published on the running server through its REST API: no restart
			await n8n.publishWorkflow('relStampede503');
			await n8n.publishWorkflow('relStampede401');
			await n8n.publishWorkflow('relWebhook');

			const warm = await fire(50);
			report('50 parallel, token valid', warm);
			expect(warm).toMatchObject({ ok: 50, failed: 0, exchanges: 0 });

			sandbox.control.expireAll();
			const expired = await fire(50);
			report('50 parallel, token expired', expired);
			expect(expired).toMatchObject({ ok: 50, failed: 0, exchanges: 1 });

			sandbox.control.singleSession({ enabled: true });
			sandbox.control.expireAll();
			const revoking = await fire(50);
			report('50 parallel, token expired, each new token revokes the previous', revoking);
			expect(revoking).toMatchObject({ ok: 50, failed: 0, exchanges: 1 });
			sandbox.control.singleSession({ enabled: false });
		});

		test('50 parallel runs whose token renewal fails share that failure: a few exchange attempts, not 50', async () => {
			// /session-token answers 503 to everyone (the exchange retries twice, then gives up)
			sandbox.control.faults({ status: 503, count: 500, routes: ['POST /session-token'] });
			const unavailable = await fire(50, 'rel-stampede-503');
			report('50 parallel, /session-token answers 503', unavailable);
			const pending = sandbox.stats().pendingFaults.reduce((sum, f) => sum + f.remaining, 0);
			sandbox.control.reset(); // drops the 503s not used up
			addFileTokens(sandbox);
			expect(unavailable).toMatchObject({ ok: 0, failed: 50, exchanges: 0 });
			expect(unavailable.exchangeAttempts).toBeGreaterThanOrEqual(3);
			expect(unavailable.exchangeAttempts).toBeLessThanOrEqual(9);
			expect(unavailable.requests).toBe(unavailable.exchangeAttempts);
			expect(pending).toBe(500 - unavailable.exchangeAttempts);

			// a connect token Tracx does not accept: 401 at once
			const rejected = await fire(50, 'rel-stampede-401');
			report('50 parallel, connect token rejected', rejected);
			expect(rejected).toMatchObject({ ok: 0, failed: 50, exchanges: 0 });
			expect(rejected.exchangeAttempts).toBeGreaterThanOrEqual(1);
			expect(rejected.exchangeAttempts).toBeLessThanOrEqual(3);
			expect(rejected.requests).toBe(rejected.exchangeAttempts);
		});

		test('the credential test makes one exchange; the REST credential view shows no token', async () => {
			// the Test button: one exchange, and the Base URL read as workflows read it
			const before = sandbox.stats().exchanges.total;
			const tested = await n8n.testCredential({
				type: 'tracxConnectApi',
				data: { connectToken: 'fake-connect-token-all', baseUrl: ` ${sandbox.baseUrl}// ` },
			});
			report('credential test', {
				status: tested.status,
				exchanges: sandbox.stats().exchanges.total - before,
			});
			expect(tested.status).toBe('OK');
			expect(sandbox.stats().exchanges.total - before).toBe(1);
			const view = await n8n.getCredentialViaRest(n8n.credentialId('relAll'));
			const text = JSON.stringify(view);
			seenOutput.push(text);
			expect(view.data.sessionToken).not.toMatch(JWT);
			for (const token of CONNECT_TOKENS) expect(text).not.toContain(token);
		});
	});

	/**
	 * Every execution this file made on the shared n8n, with its run data, as n8n stored it:
	 * the manual runs by id, the webhook runs listed by workflow.
	 */
	async function storedExecutions() {
		const ids = new Set(manualExecutions);
		for (const fileId of n8n.workflowIds.keys()) {
			for (const execution of await n8n.executionsOf(fileId)) ids.add(String(execution.id));
		}
		const stored = [];
		for (const id of ids) stored.push(await n8n.restData('GET', `/rest/executions/${id}`));
		return stored;
	}

	test('no connect or session token in outputs, errors, stored executions or debug logs', async () => {
		const [stored, executions] = await Promise.all([
			n8n.exportCredential('relAll'),
			storedExecutions(),
		]);
		expect(stored.sessionToken).toMatch(JWT); // the export itself is the one place it may be
		const sessionTokens = [stored.sessionToken];
		// every manual run and the 250 webhook runs of 'under n8n start', each with its data
		expect(executions.map((e) => String(e.id))).toEqual(expect.arrayContaining(manualExecutions));
		expect(executions.filter((e) => e.mode === 'webhook').length).toBeGreaterThanOrEqual(250);
		for (const e of executions)
			expect({ id: e.id, data: typeof e.data }).toEqual({ id: e.id, data: 'string' });
		await Promise.allSettled([crashRun]);
		expect(own).toBeDefined();
		const ownFolder = path.join(own.userFolder, '.n8n');
		const dbFiles = fs.readdirSync(ownFolder).filter((f) => f.startsWith('database.sqlite'));
		expect(dbFiles.length).toBeGreaterThan(0);
		const haystacks = {
			outputs: seenOutput.join('\n'),
			'stored executions': JSON.stringify(executions),
			log: n8n.logText(),
			'own instance log': own.logText(),
			...Object.fromEntries(
				dbFiles.map((f) => [
					`own instance ${f}`,
					fs.readFileSync(path.join(ownFolder, f)).toString('latin1'),
				]),
			),
		};
		expect(haystacks.log).toContain('"level":"debug"');
		expect(haystacks['own instance log']).toContain('"level":"debug"');
		for (const [where, text] of Object.entries(haystacks)) {
			for (const secret of [...CONNECT_TOKENS, ...sessionTokens]) {
				expect({ where, leaked: text.includes(secret) }).toEqual({ where, leaked: false });
			}
			expect({ where, jwt: JWT.exec(text)?.[0].slice(0, 12) ?? null }).toEqual({
				where,
				jwt: null,
			});
		}
	});
});
