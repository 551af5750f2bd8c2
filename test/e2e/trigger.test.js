'use strict';

/**
 * The Tracx Trigger in real n8n (`n8n start`, 1.x and 2.x): workflows activated the way
 * users activate them, the sandbox changed underneath, and n8n's own execution list checked
 * for exactly the executions those changes should start, with the records they carry.
 *
 * When polls run (read from n8n-core, ActiveWorkflows.activatePolling in 1.x and
 * ActiveWorkflowTriggers.activatePollTrigger in 2.x): n8n polls once while it activates the
 * workflow (at start, for a published workflow) and emits what that poll returns; after that
 * it polls on the cron of each Poll Times entry. Every entry must be minute-granular, so the
 * test gives the trigger twelve entries, at seconds 0, 5, …, 55 of every minute: one poll
 * every 5 s instead of every minute, with the node's code unchanged.
 */
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');

const { startSandbox } = require('../sandbox/server');
const { selectedRuntimes } = require('./support/install');
const { waitFor: waitUntil } = require('./support/wait');
const { N8n } = require('./support/n8n');
const { chain, node, outputOf, pollEvery } = require('./support/workflows');

const PACKAGE_DIR = path.resolve(__dirname, '../..');
const POLL_EVERY_SECONDS = 5;
/**
 * Deadline for the next poll and its execution: normally within 5 s, but a machine busy
 * with other n8n processes (the other major runs beside this one) can delay or skip a few
 * cron ticks, so allow eight.
 */
const NEXT_POLL_MS = 8 * POLL_EVERY_SECONDS * 1000;
jest.setTimeout(5 * 60_000);

const CREDENTIAL = { id: 'tracxSandbox', name: 'Tracx (sandbox)' };

const pollTimes = pollEvery(POLL_EVERY_SECONDS);

/** The shipped example, polling every 5 s. */
function newRaceWorkflow() {
	const file = path.join(PACKAGE_DIR, 'examples', 'new-race-trigger.json');
	const workflow = JSON.parse(fs.readFileSync(file, 'utf8'));
	workflow.nodes[0].parameters.pollTimes = pollTimes;
	return workflow;
}

/**
 * Workflow ids of at most 16 characters: n8n 1.x saves static data (the trigger's state)
 * only for such ids (isWorkflowIdValid), as n8n generates them; 2.x allows 21.
 */
function eventUpdatedWorkflow() {
	return chain('tracxEventUpd', [
		node(
			'Event updated',
			'n8n-nodes-tracx.tracxTrigger',
			1,
			{ pollTimes, triggerOn: 'eventUpdated' },
			{ credentials: { tracxConnectApi: CREDENTIAL } },
		),
	]);
}

/**
 * A second address for the sandbox: a TCP relay on another loopback port, so a credential
 * edited to point there reaches the same Tracx data from another origin.
 */
async function relayTo(port) {
	const sockets = new Set();
	let connections = 0;
	const server = net.createServer((client) => {
		connections++;
		const upstream = net.connect(port, '127.0.0.1');
		for (const socket of [client, upstream]) {
			sockets.add(socket);
			socket.on('close', () => sockets.delete(socket));
			socket.on('error', () => {
				client.destroy();
				upstream.destroy();
			});
		}
		client.pipe(upstream).pipe(client);
	});
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		baseUrl: `http://127.0.0.1:${server.address().port}/v1/connect`,
		get connections() {
			return connections;
		},
		close: async () => {
			for (const socket of sockets) socket.destroy();
			await new Promise((resolve) => server.close(resolve));
		},
	};
}

describe.each(selectedRuntimes())('Tracx Trigger in real n8n (%s)', (runtimeKey) => {
	let sandbox;
	let n8n;
	let flatted;
	let started;
	let relay;

	/** API requests n8n made after log entry `since`, e.g. `polls('GET /races', seq)`. */
	function polls(route, since = 0) {
		return sandbox.control.requests({ since }).items.filter((r) => r.route === route);
	}

	function lastSeq() {
		const items = sandbox.control.requests({}).items;
		return items.length ? items[items.length - 1].seq : 0;
	}

	/**
	 * For a failure message: n8n's last warnings and errors (activation failures show up
	 * there) and the last API requests the sandbox saw (did the polls happen?).
	 */
	function problemsLogged() {
		const logged = n8n
			.logText()
			.split('\n')
			.filter((line) => /"level":"(warn|error)"/.test(line))
			.slice(-15);
		const requests = sandbox.control
			.requests({})
			.items.slice(-10)
			.map((r) => `${r.time} ${r.route} ${r.status}`);
		return [...logged, ...requests].join('\n');
	}

	/** Polls `check` every 250 ms; when it gives up, the problems n8n logged follow the reason. */
	const waitFor = (what, check, ms) =>
		waitUntil(what, check, { ms, everyMs: 250, explain: problemsLogged });

	/** What a finished execution's node output, read from n8n's stored run data. */
	async function outputOfExecution(id, nodeName) {
		const execution = await n8n.restData('GET', `/rest/executions/${id}`);
		return outputOf({ data: flatted.parse(execution.data) }, nodeName);
	}

	/** Waits until each workflow has exactly the given number of finished executions. */
	async function waitForExecutions(expected) {
		const seen = {};
		const describe = () =>
			`executions ${JSON.stringify(expected)}; seen ${JSON.stringify(seen)} (id:status)`;
		return await waitFor(
			describe,
			async () => {
				for (const [workflowId, count] of Object.entries(expected)) {
					const list = await n8n.executionsOf(workflowId);
					seen[workflowId] = list.map((e) => `${e.id}:${e.status}`);
					if (list.length > count) throw new Error(`too many: ${describe()}`);
					if (list.length < count || list.some((e) => e.status !== 'success')) return null;
					seen[workflowId] = list;
				}
				return seen;
			},
			NEXT_POLL_MS,
		);
	}

	/** Waits for one more successful poll of both workflows after log entry `since`. */
	async function waitForNextPolls(since) {
		await waitFor(
			'the next poll of both triggers',
			() =>
				polls('GET /races', since).some((r) => r.status === 200) &&
				polls('GET /events', since).some((r) => r.status === 200),
			NEXT_POLL_MS,
		);
	}

	beforeAll(async () => {
		started = Date.now();
		sandbox = await startSandbox({});
		n8n = await N8n.create({ runtimeKey, packageDir: PACKAGE_DIR });
		// n8n stores run data in the `flatted` format; read it with the copy n8n itself uses
		flatted = require(path.join(n8n.runtime.dir, 'node_modules', 'flatted'));
		await n8n.importCredentials([
			{
				...CREDENTIAL,
				type: 'tracxConnectApi',
				data: { connectToken: 'fake-connect-token-all', baseUrl: sandbox.baseUrl },
			},
		]);
		await n8n.importWorkflows([newRaceWorkflow(), eventUpdatedWorkflow()]);
		await n8n.start();
		await n8n.ownerSetup();
		// published as the editor's toggle does: each trigger's activation poll happens now
		await n8n.publishWorkflow('tracxNewRace');
		await n8n.publishWorkflow('tracxEventUpd');
		// three n8n commands and a start: on a busy two-core machine each command alone can
		// take most of a minute
	}, 10 * 60_000);

	afterAll(async () => {
		await n8n?.cleanup();
		await relay?.close();
		await sandbox?.close();
		process.stderr.write(
			`[e2e] trigger.test.js ${runtimeKey}: ${Math.round((Date.now() - started) / 1000)} s\n`,
		);
	});

	test('activation emits nothing old; each change starts exactly one execution, once, across a restart', async () => {
		// the activation polls: the baseline of each trigger
		await waitFor(
			'the activation polls',
			() => polls('GET /races').length > 0 && polls('GET /events').length > 0,
			60_000,
		);
		await waitForNextPolls(lastSeq());
		expect(await n8n.executionsOf('tracxNewRace')).toEqual([]);
		expect(await n8n.executionsOf('tracxEventUpd')).toEqual([]);

		// two races in one second, an updated event, and an updated race (no Race Created)
		const sameSecond = '2026-01-10 08:00:00';
		const first = sandbox.control.createRace({ event_id: 1, name: '5 km' }).race;
		const second = sandbox.control.createRace({ event_id: 2, name: '30 km' }).race;
		sandbox.control.updateRace({ id: first.id, updated_at: sameSecond });
		sandbox.control.updateRace({ id: second.id, updated_at: sameSecond });
		sandbox.control.updateRace({ id: 1 });
		sandbox.control.updateEvent({ id: 3, name: 'Zandvoort Beach Trail 2026' });

		const round1 = await waitForExecutions({ tracxNewRace: 1, tracxEventUpd: 1 });
		const [raceRun] = round1.tracxNewRace;
		const [eventRun] = round1.tracxEventUpd;
		expect([raceRun.status, raceRun.mode, eventRun.status, eventRun.mode]).toEqual([
			'success',
			'trigger',
			'success',
			'trigger',
		]);
		const races = await outputOfExecution(raceRun.id, 'New race in Tracx');
		expect(races.map((r) => [r.id, r.event_id, r.name])).toEqual([
			[first.id, 1, '5 km'],
			[second.id, 2, '30 km'],
		]);
		expect(await outputOfExecution(raceRun.id, 'Registration sync for the race')).toEqual([
			{
				race_id: first.id,
				event_id: 1,
				registration_title: 'Registration: 5 km',
				race_created_at: first.created_at,
			},
			{
				race_id: second.id,
				event_id: 2,
				registration_title: 'Registration: 30 km',
				race_created_at: second.created_at,
			},
		]);
		const events = await outputOfExecution(eventRun.id, 'Event updated');
		expect(events.map((e) => [e.id, e.name])).toEqual([[3, 'Zandvoort Beach Trail 2026']]);

		// the next polls see the same records: nothing is emitted twice
		await waitForNextPolls(lastSeq());
		await waitForExecutions({ tracxNewRace: 1, tracxEventUpd: 1 });

		// a race deleted and one created: one more execution, with the new race only
		sandbox.control.deleteRace({ id: 5 });
		const third = sandbox.control.createRace({ event_id: 3, name: '10 km trail' }).race;
		const round2 = await waitForExecutions({ tracxNewRace: 2, tracxEventUpd: 1 });
		const latest = round2.tracxNewRace[1];
		expect((await outputOfExecution(latest.id, 'New race in Tracx')).map((r) => r.id)).toEqual([
			third.id,
		]);
		await waitForNextPolls(lastSeq());
		await waitForExecutions({ tracxNewRace: 2, tracxEventUpd: 1 });

		// n8n saved the trigger's state with its last execution: a race created while n8n is
		// down comes with the first poll after the restart, and nothing else does
		await n8n.stop();
		const fourth = sandbox.control.createRace({ event_id: 1, name: 'Kids run' }).race;
		await n8n.start();
		const round3 = await waitForExecutions({ tracxNewRace: 3, tracxEventUpd: 1 });
		const afterRestart = round3.tracxNewRace[2];
		expect(
			(await outputOfExecution(afterRestart.id, 'New race in Tracx')).map((r) => r.id),
		).toEqual([fourth.id]);
		await waitForNextPolls(lastSeq());
		await waitForExecutions({ tracxNewRace: 3, tracxEventUpd: 1 });

		// every poll n8n made was answered 200, with a session token
		const api = sandbox.control
			.requests({})
			.items.filter((r) => r.route === 'GET /races' || r.route === 'GET /events');
		expect(api.every((r) => r.status === 200 && r.auth.kind === 'session')).toBe(true);
	});

	/** How many executions each trigger workflow has now, for waitForExecutions. */
	async function executionCounts() {
		return {
			tracxNewRace: (await n8n.executionsOf('tracxNewRace')).length,
			tracxEventUpd: (await n8n.executionsOf('tracxEventUpd')).length,
		};
	}

	test('a Base URL edited while the trigger is active is used from the next poll on', async () => {
		// n8n keeps one poll context for the life of an activation: a credential read kept
		// from an earlier poll would send every later poll to the old address, and fail
		const counts = await executionCounts();
		relay = await relayTo(sandbox.port);
		const since = lastSeq();
		await n8n.restData('PATCH', `/rest/credentials/${CREDENTIAL.id}`, {
			...CREDENTIAL,
			type: 'tracxConnectApi',
			data: { connectToken: 'fake-connect-token-all', baseUrl: relay.baseUrl },
		});
		const race = sandbox.control.createRace({ event_id: 2, name: 'Relay 21 km' }).race;
		const after = await waitForExecutions({ ...counts, tracxNewRace: counts.tracxNewRace + 1 });
		const run = after.tracxNewRace[counts.tracxNewRace];
		expect((await outputOfExecution(run.id, 'New race in Tracx')).map((r) => r.id)).toEqual([
			race.id,
		]);
		expect(relay.connections).toBeGreaterThan(0);
		// the polls since the edit went out with a session token for the new address
		expect(polls('GET /races', since).every((r) => r.status === 200)).toBe(true);
		expect(polls('POST /session-token', since).length).toBeGreaterThan(0);
	});

	test('one empty answer among 1,500 races starts no execution; the next new race starts one', async () => {
		const counts = await executionCounts();
		const many = Array.from(
			{ length: 1500 },
			(_, i) => sandbox.control.createRace({ event_id: 1 + (i % 3), name: `Wave ${i + 1}` }).race,
		);
		const loaded = await waitForExecutions({ ...counts, tracxNewRace: counts.tracxNewRace + 1 });
		const bulkRun = loaded.tracxNewRace[counts.tracxNewRace];
		expect((await outputOfExecution(bulkRun.id, 'New race in Tracx')).length).toBe(many.length);

		// Tracx answers one poll with an empty list, then with everything again
		const since = lastSeq();
		sandbox.control.faults({ kind: 'empty-list', routes: ['GET /races'] });
		const blip = await waitFor(
			'the empty answer and two full answers after it',
			() => {
				const seen = polls('GET /races', since);
				const at = seen.findIndex((r) => r.fault === 'empty-list');
				return at >= 0 && seen.slice(at + 1).filter((r) => r.status === 200).length >= 2
					? seen
					: null;
			},
			2 * NEXT_POLL_MS,
		);
		// an execution starts as its poll ends: two polls on, any the blip caused is listed
		const fired = (await n8n.executionsOf('tracxNewRace')).length - counts.tracxNewRace - 1;
		expect(fired).toBe(0);

		// "each change once" still holds after the blip
		const next = sandbox.control.createRace({ event_id: 1, name: 'After the blip' }).race;
		const latest = await waitForExecutions({ ...counts, tracxNewRace: counts.tracxNewRace + 2 });
		const nextRun = latest.tracxNewRace[counts.tracxNewRace + 1];
		expect((await outputOfExecution(nextRun.id, 'New race in Tracx')).map((r) => r.id)).toEqual([
			next.id,
		]);
		process.stderr.write(
			`[e2e] poll blip ${runtimeKey}: ${many.length} races, ${blip.length} polls (1 empty), ${fired} executions fired by the blip\n`,
		);
	});
});
