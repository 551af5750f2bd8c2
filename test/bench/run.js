'use strict';

/**
 * `npm run bench` (gulp bench builds first): token reuse and bulk import of our node inside
 * real n8n, side by side with what a user would build with the HTTP Request node instead and
 * with the bare API, plus the node's own overhead without network. One invocation; prints a
 * Markdown table and writes everything measured to bench-results/.
 *
 * Fixed conditions: the Tracx sandbox in this process on 127.0.0.1 with 5 ms latency per API
 * request; its bulk imports are applied by the bench after each measured run (the real API
 * queues them and applies them later, on its own servers), so applying them never competes
 * with the client being measured. n8n runs as `n8n start` with every workflow behind a Webhook
 * trigger (responding when the last node has run); one call = one execution.
 *
 * TRACX_BENCH_QUICK=1: 1,000 participants, 20 token executions, one run each: a smoke run.
 * TRACX_BENCH_ONLY=mapping: only item 4 (own column names), in the same n8n set-up.
 * TRACX_BENCH_RUNTIME=n8n1: n8n 1.x instead of 2.x.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { startSandbox } = require('../sandbox/server');
const { BenchN8n } = require('./bench-n8n');
const { runScript } = require('./children');
const { EVENT_ID } = require('./participants');
const { renderReport } = require('./report');
const { summarise } = require('./stats');
const workflows = require('./workflows');

const ROOT = path.resolve(__dirname, '../..');
const { DEFAULT_BATCH_SIZE, DEFAULT_BATCHES_IN_FLIGHT } = require(
	path.join(ROOT, 'dist/nodes/Tracx/actions/participant/upsertMany.operation.js'),
);
const QUICK = process.env.TRACX_BENCH_QUICK === '1';
const ONLY_MAPPING = process.env.TRACX_BENCH_ONLY === 'mapping';
const CONFIG = {
	runtimeKey: process.env.TRACX_BENCH_RUNTIME || 'n8n2',
	latencyMs: 5,
	// A second latency, nearer a round trip to a hosted API, for batches in flight at once.
	remoteLatencyMs: 50,
	// The node's own defaults, read from the build: the ratios and item 3 are given at them.
	defaultBatchSize: DEFAULT_BATCH_SIZE,
	defaultInFlight: DEFAULT_BATCHES_IN_FLIGHT,
	participants: QUICK ? 1000 : 10_000,
	tokenExecutions: QUICK ? 20 : 100,
	runs: QUICK ? 1 : 5,
	// Edit Fields takes about a minute per 10,000 rows: fewer runs for item 4
	mappingRuns: Number(process.env.TRACX_BENCH_MAPPING_RUNS) || (QUICK ? 1 : 3),
	batchSizes: [...new Set([100, 500, 1000, 2000, 5000, DEFAULT_BATCH_SIZE])].sort((x, y) => x - y),
	concurrency: [...new Set([1, 2, 4, DEFAULT_BATCHES_IN_FLIGHT])].sort((x, y) => x - y),
	overheadSizes: [10_000, 100_000],
	overheadRuns: 5,
};

const log = (message) =>
	process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
const loadAverage = () => os.loadavg().map((n) => Number(n.toFixed(2)));

/** Item 3: the node's own cost per item, in fresh processes, without network. */
async function nodeOverhead() {
	const results = [];
	for (const count of CONFIG.overheadSizes) {
		const runs = [];
		for (let i = 0; i < CONFIG.overheadRuns; i++) {
			runs.push(
				await runScript(
					'overhead.js',
					[String(count), String(CONFIG.defaultBatchSize)],
					['--expose-gc'],
				),
			);
		}
		results.push({ count, runs, ...summarise(runs, ['ms', 'heapRetainedMb', 'peakRssGrowthMb']) });
	}
	return results;
}

/** 2d: the bare API from a plain Node script, at each batch size and concurrency given. */
async function directClient(sandbox, batchSizes) {
	const cases = [];
	for (const batchSize of batchSizes) {
		for (const concurrency of CONFIG.concurrency) cases.push({ batchSize, concurrency, runs: [] });
	}
	for (let run = 0; run < CONFIG.runs; run++) {
		for (const entry of cases) {
			const { batchSize, concurrency } = entry;
			const args = { baseUrl: sandbox.baseUrl, count: CONFIG.participants, batchSize, concurrency };
			entry.runs.push(await runScript('direct.js', [JSON.stringify(args)]));
			sandbox.control.flushImports();
		}
	}
	return cases.map((entry) => ({ ...entry, ...summarise(entry.runs, ['ms', 'requests']) }));
}

/** Item 1: executions within one token lifetime; each round starts with a fresh credential. */
async function tokenReuse(bench) {
	const variants = [
		{ key: 'ours', workflow: (round) => `tok-ours-${round}` },
		{ key: 'http', workflow: () => 'tok-http' },
	];
	const rounds = { ours: [], http: [] };
	for (let round = 1; round <= CONFIG.runs; round++) {
		for (const { key, workflow } of variants) {
			const calls = [];
			for (let i = 0; i < CONFIG.tokenExecutions; i++)
				calls.push(await bench.call(workflow(round)));
			rounds[key].push({
				exchanges: calls.reduce((sum, c) => sum + c.api.exchanges, 0),
				apiCalls: calls.reduce((sum, c) => sum + c.api.requests - c.api.exchanges, 0),
				msPerExecution: summarise(calls, ['ms']).ms.median,
			});
		}
	}
	const fields = ['exchanges', 'apiCalls', 'msPerExecution'];
	return Object.fromEntries(
		Object.entries(rounds).map(([key, list]) => [
			key,
			{ rounds: list, ...summarise(list, fields) },
		]),
	);
}

/** Checks that a bulk run delivered every participant, so no figure comes from a failed run. */
function checkDelivered(sandbox, importsBefore, result, route) {
	const count = CONFIG.participants;
	if (result.api.ok !== result.api.requests) {
		throw new Error(`a run had failed requests: ${JSON.stringify(result.api)}`);
	}
	if (route === 'bulk') {
		const queued = sandbox.control
			.imports()
			.items.slice(importsBefore)
			.reduce((sum, entry) => sum + entry.count, 0);
		if (queued !== count) throw new Error(`${queued} of ${count} participants were queued`);
		sandbox.control.flushImports();
	} else if (result.api.byRoute['POST /participant'] !== count) {
		throw new Error(
			`${result.api.byRoute['POST /participant']} of ${count} participants were sent`,
		);
	}
}

async function bulkRun(bench, sandbox, workflowId, query, route, saved = true) {
	const importsBefore = sandbox.control.imports().items.length;
	const result = await bench.call(
		workflowId,
		{ count: CONFIG.participants, ...query },
		{ details: true, saved },
	);
	if (route) checkDelivered(sandbox, importsBefore, result, route);
	return {
		ms: result.ms,
		executionMs: result.execution.ms,
		nodeMs: result.execution.nodes.Tracx,
		sourceMs: result.execution.nodes['Start list'],
		editFieldsMs: result.execution.nodes['Edit Fields'],
		requests: result.api.requests,
		exchanges: result.api.exchanges,
		peakRssN8nMb: result.peakRssMb.n8n,
		rssBeforeN8nMb: result.peakRssMb.n8nBefore,
		peakRssTaskRunnerMb: result.peakRssMb.taskRunner,
	};
}

const BULK_FIELDS = [
	'ms',
	'executionMs',
	'nodeMs',
	'sourceMs',
	'editFieldsMs',
	'requests',
	'exchanges',
	'peakRssN8nMb',
	'rssBeforeN8nMb',
	'peakRssTaskRunnerMb',
];

/**
 * Items 2a–c inside n8n, and n8n's own share of 2a (the same workflow without the Tracx
 * node). Runs are interleaved across variants so that noise spreads evenly.
 */
async function bulkImport(bench, sandbox) {
	const many = CONFIG.batchSizes.flatMap((batchSize) =>
		CONFIG.concurrency.map((inFlight) => ({ batchSize, inFlight, runs: [] })),
	);
	const defaults = { batchSize: CONFIG.defaultBatchSize, inFlight: CONFIG.defaultInFlight };
	const fixedRace = { ...defaults, runs: [] };
	const unsaved = { ...defaults, runs: [] };
	const source = { runs: [] };
	const http = { runs: [] };
	const each = { runs: [] };
	for (let run = 0; run < CONFIG.runs; run++) {
		for (const entry of many) {
			log(`2a Create or Update Many, batch ${entry.batchSize} × ${entry.inFlight}, run ${run + 1}`);
			const query = { batchSize: entry.batchSize, inFlight: entry.inFlight };
			entry.runs.push(await bulkRun(bench, sandbox, 'bulk-many', query, 'bulk'));
		}
		log(`2a′ Create or Update Many, Race as an expression, run ${run + 1}`);
		fixedRace.runs.push(await bulkRun(bench, sandbox, 'bulk-many-fixed', defaults, 'bulk'));
		log(`2a″ Create or Update Many, successful executions not saved, run ${run + 1}`);
		unsaved.runs.push(await bulkRun(bench, sandbox, 'bulk-many-unsaved', defaults, 'bulk', false));
		log(`n8n's share: webhook and Code node only, run ${run + 1}`);
		source.runs.push(await bulkRun(bench, sandbox, 'bulk-source', {}, null));
		log(`2c HTTP Request per item, run ${run + 1}`);
		http.runs.push(await bulkRun(bench, sandbox, 'bulk-http', {}, 'single'));
		log(`2b Create or Update per item, run ${run + 1}`);
		each.runs.push(await bulkRun(bench, sandbox, 'bulk-each', {}, 'single'));
	}
	const sum = (entry) => ({ ...entry, ...summarise(entry.runs, BULK_FIELDS) });
	return {
		many: many.map(sum),
		fixedRace: sum(fixedRace),
		unsaved: sum(unsaved),
		source: sum(source),
		each: sum(each),
		http: sum(http),
	};
}

/**
 * Item 4: the same 10,000 participants with a registration export's own column names, mapped
 * field by field, renamed by Edit Fields for Map Automatically, or already named like the
 * fields (the baseline); and Validate Only, which sends nothing. Runs interleaved.
 */
async function ownColumnImport(bench, sandbox) {
	const defaults = { batchSize: CONFIG.defaultBatchSize, inFlight: CONFIG.defaultInFlight };
	const variants = [
		{
			key: 'named',
			label: 'already named, Map Automatically',
			workflow: 'bulk-many',
			query: defaults,
		},
		{
			key: 'namedRaceReference',
			label: 'already named, Race By ID {{ $json.race_id }}',
			workflow: 'bulk-many-fixed',
			query: defaults,
		},
		{ key: 'fields', label: 'Map Each Column Manually', workflow: 'own-fields', query: {} },
		{
			key: 'editFields',
			label: 'Edit Fields, then Map Automatically',
			workflow: 'own-edit-fields',
			query: {},
		},
		{
			key: 'validateOnly',
			label: 'Map Each Column Manually, Validate Only',
			workflow: 'own-validate',
			query: {},
		},
	].map((variant) => ({ ...variant, runs: [] }));
	for (let run = 0; run < CONFIG.mappingRuns; run++) {
		for (const variant of variants) {
			log(`4 own column names: ${variant.label}, run ${run + 1}`);
			const sends = variant.key !== 'validateOnly';
			const result = await bulkRun(
				bench,
				sandbox,
				variant.workflow,
				variant.query,
				sends ? 'bulk' : null,
			);
			if (!sends && result.requests !== 0) {
				throw new Error(`Validate Only sent ${result.requests} requests`);
			}
			variant.runs.push(result);
		}
	}
	return Object.fromEntries(
		variants.map((v) => [v.key, { ...v, ...summarise(v.runs, BULK_FIELDS) }]),
	);
}

/** 2a and 2d again at the default batch size, with the sandbox as far away as a hosted API. */
async function remoteLatency(bench, sandbox) {
	sandbox.control.latency({ ms: CONFIG.remoteLatencyMs });
	try {
		log(`2d at ${CONFIG.remoteLatencyMs} ms latency`);
		const direct = await directClient(sandbox, [CONFIG.defaultBatchSize]);
		const many = CONFIG.concurrency.map((inFlight) => ({
			batchSize: CONFIG.defaultBatchSize,
			inFlight,
			runs: [],
		}));
		for (let run = 0; run < CONFIG.runs; run++) {
			for (const entry of many) {
				log(
					`2a at ${CONFIG.remoteLatencyMs} ms latency, ${entry.inFlight} at a time, run ${run + 1}`,
				);
				const query = { batchSize: entry.batchSize, inFlight: entry.inFlight };
				entry.runs.push(await bulkRun(bench, sandbox, 'bulk-many', query, 'bulk'));
			}
		}
		return {
			direct,
			many: many.map((entry) => ({ ...entry, ...summarise(entry.runs, BULK_FIELDS) })),
		};
	} finally {
		sandbox.control.latency({ ms: CONFIG.latencyMs });
	}
}

/** Item 4 alone needs its own workflows and 2a's: fewer imports before n8n starts. */
const MAPPING_WORKFLOWS = [
	'bulk-many',
	'bulk-many-fixed',
	'own-fields',
	'own-edit-fields',
	'own-validate',
];

function onlyMapping({ credentials, workflows: list }) {
	return {
		credentials: credentials.filter((c) => c.id === 'credBulk'),
		workflows: list.filter((w) => MAPPING_WORKFLOWS.includes(w.id)),
	};
}

function benchWorkflows(baseUrl) {
	const credential = (id) => ({ id, name: `Tracx ${id}` });
	const tokenRounds = Array.from({ length: CONFIG.runs }, (_, i) => i + 1);
	return {
		credentials: [...tokenRounds.map((r) => `credTok${r}`), 'credBulk'].map((id) => ({
			...credential(id),
			type: 'tracxConnectApi',
			data: { connectToken: workflows.CONNECT_TOKEN, baseUrl },
		})),
		workflows: [
			...tokenRounds.map((r) => workflows.tokenOurs(`tok-ours-${r}`, credential(`credTok${r}`))),
			workflows.tokenHttp('tok-http', baseUrl),
			workflows.sourceOnly('bulk-source'),
			workflows.bulkMany('bulk-many', credential('credBulk'), EVENT_ID),
			workflows.bulkMany('bulk-many-fixed', credential('credBulk'), EVENT_ID, true),
			workflows.unsaved(workflows.bulkMany('bulk-many-unsaved', credential('credBulk'), EVENT_ID)),
			workflows.bulkEach('bulk-each', credential('credBulk')),
			workflows.bulkHttp('bulk-http', baseUrl),
			workflows.ownColumns('own-fields', credential('credBulk'), EVENT_ID, 'fields'),
			workflows.ownColumns('own-edit-fields', credential('credBulk'), EVENT_ID, 'editFields'),
			workflows.ownColumns('own-validate', credential('credBulk'), EVENT_ID, 'validateOnly'),
		],
	};
}

function environment() {
	return {
		date: new Date().toISOString(),
		cpu: `${os.cpus()[0].model} × ${os.cpus().length}`,
		memoryGb: Number((os.totalmem() / 1024 ** 3).toFixed(1)),
		benchNode: process.version,
		package: JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version,
	};
}

function writeResults(results) {
	const dir = path.join(ROOT, 'bench-results');
	fs.mkdirSync(dir, { recursive: true });
	const file = path.join(dir, `bench-${results.environment.date.replace(/[:.]/g, '-')}.json`);
	const text = `${JSON.stringify(results, null, 2)}\n`;
	fs.writeFileSync(file, text);
	fs.writeFileSync(path.join(dir, 'latest.json'), text);
	return file;
}

async function main() {
	const started = Date.now();
	const results = { config: CONFIG, environment: environment(), load: { start: loadAverage() } };

	if (!ONLY_MAPPING) {
		log('3 node overhead (no network)');
		results.overhead = await nodeOverhead();
	}

	const sandbox = await startSandbox({ latencyMs: CONFIG.latencyMs, bulkDelayMs: 3_600_000 });
	const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'tracx-bench-'));
	let bench;
	try {
		if (!ONLY_MAPPING) {
			log('2d plain Node script against the sandbox');
			results.direct = await directClient(sandbox, CONFIG.batchSizes);
		}

		log('starting n8n with the bench workflows');
		// n8n's user folder goes under a folder of the bench's own (os.tmpdir() follows TMPDIR):
		// a concurrent sweep of the e2e suite's /tmp/tracx-e2e-* folders cannot remove it.
		process.env.TMPDIR = scratch;
		bench = await BenchN8n.start({
			runtimeKey: CONFIG.runtimeKey,
			packageDir: ROOT,
			sandbox,
			...(ONLY_MAPPING ? onlyMapping : (all) => all)(benchWorkflows(sandbox.baseUrl)),
		});
		results.environment.runtime = bench.versions;

		if (!ONLY_MAPPING) {
			log(`1 token reuse, ${CONFIG.tokenExecutions} executions per round`);
			results.tokenReuse = await tokenReuse(bench);
			results.load.afterTokenReuse = loadAverage();

			results.bulk = await bulkImport(bench, sandbox);
			results.remote = await remoteLatency(bench, sandbox);
		}
		results.ownColumns = await ownColumnImport(bench, sandbox);
		results.load.end = loadAverage();
	} finally {
		await bench?.stop();
		await sandbox.close();
		fs.rmSync(scratch, { recursive: true, force: true });
	}
	results.totalSeconds = Math.round((Date.now() - started) / 1000);
	const file = writeResults(results);
	process.stdout.write(`${renderReport(results)}\nJSON: ${path.relative(ROOT, file)}\n`);
}

main().catch((error) => {
	process.stderr.write(`${error.stack}\n`);
	process.exitCode = 1;
});
