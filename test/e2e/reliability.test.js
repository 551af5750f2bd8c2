'use strict';

/**
 * Reliability and security in real n8n (1.x and 2.x) against the sandbox's fault knobs:
 * every fault either succeeds within the retry budget or fails with our message, with a
 * bounded number of exchanges and resends; parallel webhook runs on one credential; a
 * hostile Base URL; a crash in the middle of a bulk import; and no token anywhere in
 * outputs, stored executions, debug logs or the REST credential view.
 */
const fs = require('node:fs');
const path = require('node:path');

const { startForeignHost, FOREIGN_SESSION_TOKEN } = require('../sandbox/foreign-host');
const { startSandbox } = require('../sandbox/server');
const { selectedRuntimes } = require('./support/install');
const { N8n, freePort } = require('./support/n8n');
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

const CONNECT_TOKENS = [
	'fake-connect-token-all',
	'fake-connect-token-write',
	'fake-connect-token-doomed',
];
const JWT = /eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]+/;

const participant = (n, overrides) => record('REL', n, overrides);

/** A connect token of its own for the revocation case, so revoking it spares the others. */
function addDoomedToken(sandbox) {
	sandbox.control.connectTokens({
		token: 'fake-connect-token-doomed',
		label: 'doomed',
		permissions: ['permissions.events.list'],
		events: null,
	});
}

describe.each(selectedRuntimes())('reliability in real n8n (%s)', (runtimeKey) => {
	let sandbox;
	let n8n;
	/** Everything n8n handed back to the suite, scanned for tokens at the end. */
	const seenOutput = [];
	const credential = (id) => ({ id, name: `Tracx ${id}` });
	const tracxCredential = (id, data) => ({
		...credential(id),
		type: 'tracxConnectApi',
		data: { baseUrl: sandbox.baseUrl, ...data },
	});

	async function execute(workflowId) {
		const before = sandbox.stats();
		const since = sandbox.control.requests({}).items.at(-1)?.seq ?? 0;
		const started = Date.now();
		const outcome = await n8n.execute(workflowId);
		seenOutput.push(outcome.stdout, outcome.stderr);
		// `n8n execute` sometimes dies of a signal (139 SIGSEGV, 134 SIGABRT) after printing the
		// whole run: judge by the run
		if (outcome.code >= 128 && outcome.result?.data?.resultData) {
			report(`n8n execute ${workflowId} exited ${outcome.code} after a complete run`, {});
			outcome.code = errorOf(outcome.result) ? 1 : 0;
		}
		const requests = sandbox.control.requests({ since }).items;
		return {
			...outcome,
			seconds: (Date.now() - started) / 1000,
			message: errorOf(outcome.result)?.message ?? null,
			exchanges: sandbox.stats().exchanges.total - before.exchanges.total,
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

	beforeAll(async () => {
		sandbox = await startSandbox({ bulkDelayMs: 20 });
		addDoomedToken(sandbox);
		n8n = await N8n.create({ runtimeKey, packageDir: PACKAGE_DIR, logLevel: 'debug' });
		await n8n.importCredentials([
			tracxCredential('relAll', { connectToken: 'fake-connect-token-all' }),
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
		await n8n.importWorkflow(eventsWorkflow('relEvents', 'relAll'));
		await n8n.importWorkflow(eventsWorkflow('relForbidden', 'relWrite'));
		await n8n.importWorkflow(eventsWorkflow('relDoomed', 'relDoomed'));
		await n8n.importWorkflow(
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
		);
		await n8n.importWorkflow(
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
		);
		// warm up: the stored session token exists before the fault matrix starts
		expect((await execute('relEvents')).code).toBe(0);
	});

	afterAll(async () => {
		await n8n?.cleanup();
		await sandbox?.close();
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
					addDoomedToken(s);
				},
			},
			{
				name: 'session-token answer without a token',
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
			const outcome = await execute('relEvents');
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
			sandbox.control.faults({ kind: 'slow', ms: 34_000, count: 1, routes: EVENTS });
			const outcome = await execute('relEvents');
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

	describe('redirects: no token follows one', () => {
		const STATUSES = [301, 302, 307, 308];
		let foreign;
		const moved = (status) =>
			`Tracx answered with a redirect (HTTP ${status}) to ${foreign.origin}, which is not followed — check the Base URL of the Tracx credential`;

		beforeAll(async () => {
			foreign = await startForeignHost({ host: '127.0.0.2' });
			// credentials that have no session token yet: their first call exchanges
			await n8n.importCredentials(
				STATUSES.map((status) =>
					tracxCredential(`relMoved${status}`, { connectToken: 'fake-connect-token-all' }),
				),
			);
			for (const status of STATUSES) {
				await n8n.importWorkflow(eventsWorkflow(`relMoved${status}`, `relMoved${status}`));
			}
			await n8n.importWorkflow(
				chain('relHttpMoved', [
					manualTrigger(),
					node(
						'HTTP Request',
						'n8n-nodes-base.httpRequest',
						4.2,
						{
							url: `${sandbox.baseUrl}/events`,
							authentication: 'predefinedCredentialType',
							nodeCredentialType: 'tracxConnectApi',
							options: {},
						},
						{ credentials: { tracxConnectApi: credential('relAll') } },
					),
				]),
			);
		});
		afterAll(async () => await foreign?.close());
		afterEach(() => expect(sandbox.stats().pendingFaults).toEqual([]));

		test.each(STATUSES)(
			'%i on POST /session-token: the connect token stays home and nothing is stored',
			async (status) => {
				sandbox.control.faults({
					kind: 'redirect',
					status,
					location: `${foreign.origin}/v1/connect/session-token`,
					routes: ['POST /session-token'],
				});
				const outcome = await execute(`relMoved${status}`);
				report(`redirect ${status} on the exchange`, {
					exchangeAttempts: outcome.exchangeAttempts,
					apiCalls: outcome.apiCalls.length,
					foreignRequests: foreign.requests.length,
				});
				expect({ code: outcome.code, message: outcome.message }).toEqual({
					code: 1,
					message: moved(status),
				});
				expect(errorOf(outcome.result).description).toContain('no token was sent there');
				expect(outcome.exchangeAttempts).toBe(1);
				expect(outcome.apiCalls).toHaveLength(0);
				expect(foreign.requests).toEqual([]);
			},
		);

		test('none of those credentials stored a session token', async () => {
			const file = n8n.scratchFile('export');
			await n8n.runOk(['export:credentials', '--all', '--decrypted', `--output=${file}`]);
			const exported = JSON.parse(fs.readFileSync(file, 'utf8'));
			fs.rmSync(file);
			const moved = exported.filter((c) => c.id.startsWith('relMoved'));
			expect(moved.map((c) => c.id).sort()).toEqual(STATUSES.map((s) => `relMoved${s}`));
			for (const c of moved) expect(c.data.sessionToken ?? '').toBe('');
			expect(JSON.stringify(exported)).not.toContain(FOREIGN_SESSION_TOKEN);
		});

		test.each(STATUSES)(
			'%i on an API call: not followed, the session token stays home',
			async (status) => {
				sandbox.control.faults({
					kind: 'redirect',
					status,
					location: `${foreign.origin}/v1/connect/events?from=tracx`,
					routes: ['GET /events'],
				});
				const outcome = await execute('relEvents');
				expect({ code: outcome.code, message: outcome.message }).toEqual({
					code: 1,
					message: moved(status),
				});
				expect(outcome.message).not.toContain('from=tracx');
				expect(outcome.exchangeAttempts).toBe(0);
				expect(outcome.apiCalls.map((r) => r.status)).toEqual([status]);
				expect(foreign.requests).toEqual([]);
			},
		);

		test("n8n's HTTP Request node with this credential does not follow a redirect either", async () => {
			// n8n renews the session token after any error on this path and resends once
			sandbox.control.faults({
				kind: 'redirect',
				status: 307,
				count: 2,
				location: `${foreign.origin}/v1/connect/events`,
				routes: ['GET /events'],
			});
			const outcome = await execute('relHttpMoved');
			report('redirect 307 under the HTTP Request node', {
				message: outcome.message,
				exchanges: outcome.exchanges,
				apiCalls: outcome.apiCalls.map((r) => r.status),
				foreignRequests: foreign.requests.length,
			});
			expect(outcome.code).toBe(1);
			expect(outcome.apiCalls.map((r) => r.status)).toEqual([307, 307]);
			expect(outcome.exchanges).toBe(1);
			expect(foreign.requests).toEqual([]);
		});
	});

	describe('bulk import interrupted', () => {
		/** A start list sent in batches of 2 to event 1, as a user's bulk import would be. */
		const bulkWorkflow = (id, list) =>
			chain(id, [
				manualTrigger(),
				records('Start list', list),
				tracx('Upsert many', credential('relAll'), {
					resource: 'participant',
					operation: 'upsertMany',
					event: rl('1'),
					race: rl('={{ $json.race_id }}'),
					participant: autoMap,
					options: { batchSize: 2 },
				}),
			]);

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
			// 8 batches of 2; the node sends 4 at a time
			const list = Array.from({ length: 16 }, (_, i) => participant(200 + i));
			await n8n.importWorkflow(bulkWorkflow('relCrashBulk', list));
			sandbox.control.latency({ ms: 1500 });
			const since = sandbox.control.requests({}).items.at(-1)?.seq ?? 0;
			const bulkRequests = () =>
				sandbox.control
					.requests({ since })
					.items.filter((r) => r.route === 'POST /events/{event_id}/participants');
			const child = n8n.spawn(['execute', '--id=relCrashBulk', '--rawOutput'], {
				N8N_RUNNERS_BROKER_PORT: String(await freePort()),
			});
			const deadline = Date.now() + 120_000;
			while (bulkRequests().length < 2 && Date.now() < deadline)
				await new Promise((r) => setTimeout(r, 100));
			process.kill(-child.pid, 'SIGKILL');
			await child.exited;
			sandbox.control.latency({ ms: 0 });
			const beforeRerun = bulkRequests().length;
			expect(beforeRerun).toBeGreaterThanOrEqual(2);
			expect(beforeRerun).toBeLessThan(8);

			const rerun = await execute('relCrashBulk');
			expect(rerun.code).toBe(0);
			expect(outputOf(rerun.result, 'Upsert many').flatMap((b) => b.unique_ids)).toEqual(
				list.map((p) => p.unique_id),
			);
			sandbox.control.flushImports();
			const stored = sandbox.control
				.participants({ event_id: 1 })
				.items.filter((p) => p.unique_id.startsWith('REL-2'));
			expect(stored.map((p) => p.unique_id).sort()).toEqual(list.map((p) => p.unique_id).sort());
		});
	});

	describe('under n8n start', () => {
		async function fire(count, webhookPath = 'tracx-reliability') {
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
			await n8n.importWorkflow(
				webhookWorkflow(
					'relWebhook',
					'tracx-reliability',
					'5d0f3c1e-7a2b-4c9d-8e6f-112233445566',
					'relAll',
				),
			);
			// for the failing-renewal runs below: one credential Tracx answers 503 for, one it
			// does not know; neither holds a session token yet
			await n8n.importCredentials([
				tracxCredential('relStampede503', { connectToken: 'fake-connect-token-all' }),
				tracxCredential('relStampede401', { connectToken: 'fake-connect-token-unknown' }),
			]);
			await n8n.importWorkflow(
				webhookWorkflow(
					'relStampede503',
					'tracx-stampede-503',
					'7a1e2b3c-4d5e-4f60-8172-8394a5b6c7d8',
					'relStampede503',
				),
			);
			await n8n.importWorkflow(
				webhookWorkflow(
					'relStampede401',
					'tracx-stampede-401',
					'8b2f3c4d-5e6f-4071-8283-94a5b6c7d8e9',
					'relStampede401',
				),
			);
			await n8n.publishWorkflow('relStampede503');
			await n8n.publishWorkflow('relStampede401');
			await n8n.publishWorkflow('relWebhook');
			await n8n.start();

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
			const unavailable = await fire(50, 'tracx-stampede-503');
			report('50 parallel, /session-token answers 503', unavailable);
			const pending = sandbox.stats().pendingFaults.reduce((sum, f) => sum + f.remaining, 0);
			sandbox.control.reset(); // drops the 503s not used up
			addDoomedToken(sandbox);
			expect(unavailable).toMatchObject({ ok: 0, failed: 50, exchanges: 0 });
			expect(unavailable.exchangeAttempts).toBeGreaterThanOrEqual(3);
			expect(unavailable.exchangeAttempts).toBeLessThanOrEqual(9);
			expect(unavailable.requests).toBe(unavailable.exchangeAttempts);
			expect(pending).toBe(500 - unavailable.exchangeAttempts);

			// a connect token Tracx does not accept: 401 at once
			const rejected = await fire(50, 'tracx-stampede-401');
			report('50 parallel, connect token rejected', rejected);
			expect(rejected).toMatchObject({ ok: 0, failed: 50, exchanges: 0 });
			expect(rejected.exchangeAttempts).toBeGreaterThanOrEqual(1);
			expect(rejected.exchangeAttempts).toBeLessThanOrEqual(3);
			expect(rejected.requests).toBe(rejected.exchangeAttempts);
		});

		test('the credential test makes one exchange; the REST credential view shows no token', async () => {
			await n8n.ownerSetup();
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
			const view = await n8n.getCredentialViaRest('relAll');
			const text = JSON.stringify(view);
			seenOutput.push(text);
			expect(view.data.sessionToken).not.toMatch(JWT);
			for (const token of CONNECT_TOKENS) expect(text).not.toContain(token);
			await n8n.stop();
		});
	});

	test('no connect or session token in outputs, errors, stored executions or debug logs', async () => {
		const stored = await n8n.exportCredential('relAll');
		expect(stored.sessionToken).toMatch(JWT); // the export itself is the one place it may be
		const sessionTokens = [stored.sessionToken];
		const dbFiles = fs
			.readdirSync(path.join(n8n.userFolder, '.n8n'))
			.filter((f) => f.startsWith('database.sqlite'));
		expect(dbFiles.length).toBeGreaterThan(0);
		const haystacks = {
			outputs: seenOutput.join('\n'),
			log: n8n.logText(),
			...Object.fromEntries(
				dbFiles.map((f) => [
					f,
					fs.readFileSync(path.join(n8n.userFolder, '.n8n', f)).toString('latin1'),
				]),
			),
		};
		expect(haystacks.log).toContain('"level":"debug"');
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
