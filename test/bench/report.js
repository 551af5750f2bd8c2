'use strict';

/** The Markdown report of one bench invocation (what `npm run bench` prints). */

const int = (n) => Math.round(n).toLocaleString('en-US');
const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;
const mb = (n) => (n === null || n === undefined ? '–' : `${int(n)} MB`);
/** A median with its spread over the runs, e.g. "1.20 s (1.10–1.40)". */
const spread = (s, format) =>
	s.n > 1
		? `${format(s.median)} (${format(s.min).replace(/ \w+$/, '')}–${format(s.max)})`
		: format(s.median);
const ratio = (n) => `${n.toFixed(1)}×`;

function tokenTable({ tokenReuse }, config) {
	const { ours, http } = tokenReuse;
	return [
		`**1. Token reuse**: ${config.tokenExecutions} webhook executions of a one-call workflow (list events) within one token lifetime; median of ${ours.rounds.length} rounds, each with a fresh credential.`,
		'',
		'| | session-token exchanges | API calls | time per execution (median) |',
		'|---|---:|---:|---:|',
		`| Tracx node (credential keeps the session token) | ${int(ours.exchanges.median)} | ${int(ours.apiCalls.median)} | ${ours.msPerExecution.median.toFixed(0)} ms |`,
		`| HTTP Request nodes, token fetched in every execution | ${int(http.exchanges.median)} | ${int(http.apiCalls.median)} | ${http.msPerExecution.median.toFixed(0)} ms |`,
	];
}

function bulkRow(label, s) {
	return `| ${label} | ${int(s.requests.median)} | ${spread(s.ms, seconds)} | ${seconds(s.nodeMs.median)} | ${mb(s.peakRssN8nMb.median)} (${mb(s.rssBeforeN8nMb.median)}) / ${mb(s.peakRssTaskRunnerMb.median)} |`;
}

/** Row of 2d at a batch size: the plain script, one batch at a time. */
const directAt = (direct, batchSize) =>
	direct.find((d) => d.batchSize === batchSize && d.concurrency === 1);

/** The ratios are given at the node's default batch size: what users get. */
function bulkTable({ bulk, direct }, config) {
	const n = int(config.participants);
	const at = (list, batchSize) => list.find((s) => s.batchSize === batchSize);
	const b = config.defaultBatchSize;
	return [
		`**2. Bulk import of ${n} participants** from a Code node; median of ${config.runs} runs (range in brackets). Wall time: the webhook call, i.e. the whole execution as its caller sees it; for d, the script's own time.`,
		'',
		'| batch size | a) Tracx, Create or Update Many, Race empty (race_id column) | a′) the same, Race mapped as `{{ $json.race_id }}` | d) plain Node script, no n8n | requests |',
		'|---:|---:|---:|---:|---:|',
		...bulk.many.map(
			(a) =>
				`| ${int(a.batchSize)} | ${spread(a.ms, seconds)} | ${spread(at(bulk.fixedRace, a.batchSize).ms, seconds)} | ${spread(directAt(direct, a.batchSize).ms, seconds)} | ${int(Math.ceil(config.participants / a.batchSize))} |`,
		),
		'',
		`Per item, and the three at batch ${int(b)}. Node time: n8n's own timing of the Tracx (or HTTP Request) node. Peak RSS: VmHWM of the \`n8n start\` process, reset before each run through /proc/<pid>/clear_refs (in brackets its RSS just before the run: it grows as n8n keeps executions), and of its JS task runner, which runs the Code node.`,
		'',
		'| variant | API requests (incl. token exchange) | wall time | node time | peak RSS n8n (before) / task runner |',
		'|---|---:|---:|---:|---:|',
		bulkRow(`a) Tracx, Create or Update Many, batch ${int(b)}`, at(bulk.many, b)),
		bulkRow(`a′) the same, Race mapped as {{ $json.race_id }}`, at(bulk.fixedRace, b)),
		bulkRow('b) Tracx, Create or Update, per item', bulk.each),
		bulkRow('c) HTTP Request, per item, token fetched once by hand', bulk.http),
		`| d) plain Node script, batch ${int(b)} | ${int(directAt(direct, b).requests.median)} | ${spread(directAt(direct, b).ms, seconds)} | – | – |`,
		'',
		`Ratios of median wall times at batch ${int(b)}: **c/a = ${ratio(bulk.http.ms.median / at(bulk.many, b).ms.median)}** (target ≥ 20×), **a/d = ${ratio(at(bulk.many, b).ms.median / directAt(direct, b).ms.median)}** (target ≤ 1.5×); with Race as a per-item expression: c/a′ = ${ratio(bulk.http.ms.median / at(bulk.fixedRace, b).ms.median)}, a′/d = ${ratio(at(bulk.fixedRace, b).ms.median / directAt(direct, b).ms.median)}; b/a = ${ratio(bulk.each.ms.median / at(bulk.many, b).ms.median)}.`,
	];
}

function concurrencyTable({ direct }) {
	const sizes = [...new Set(direct.map((d) => d.batchSize))];
	const levels = [...new Set(direct.map((d) => d.concurrency))];
	const cell = (size, level) => direct.find((d) => d.batchSize === size && d.concurrency === level);
	return [
		'Batches in flight at once, plain Node script (median wall time; the node sends one at a time):',
		'',
		`| batch | ${levels.map((l) => `${l} at a time`).join(' | ')} |`,
		`|---:|${levels.map(() => '---:').join('|')}|`,
		...sizes.map(
			(size) =>
				`| ${int(size)} | ${levels.map((l) => seconds(cell(size, l).ms.median)).join(' | ')} |`,
		),
	];
}

function overheadTable({ overhead }, config) {
	const [small, large] = overhead;
	const perItem = (o) => (o.ms.median * 1000) / o.count;
	return [
		`**3. Node overhead without network**: compiled node, Create or Update Many over a stand-in for n8n (parameters from an object, HTTP answered at once), batch ${int(config.defaultBatchSize)}, median of ${config.overheadRuns} fresh processes; time from a second run of the same size in each (warm), memory from the first.`,
		'',
		'| items | time | per item | heap retained after GC | peak RSS growth |',
		'|---:|---:|---:|---:|---:|',
		...overhead.map(
			(o) =>
				`| ${int(o.count)} | ${o.ms.median.toFixed(0)} ms | ${perItem(o).toFixed(1)} µs | ${o.heapRetainedMb.median.toFixed(1)} MB | ${o.peakRssGrowthMb.median.toFixed(0)} MB |`,
		),
		'',
		`Per-item cost at ${int(large.count)} vs ${int(small.count)} items: ${(perItem(large) / perItem(small)).toFixed(2)} (1.00 = linear).`,
	];
}

function whatRan(config) {
	return [
		'What ran: one `n8n start` with every workflow published behind a Webhook trigger (response when the last node has run); the bench calls the webhooks one after another, one call = one execution.',
		'',
		'- 1: `Webhook → Tracx (Event → Get Many)` vs `Webhook → HTTP Request (POST /session-token, connect token in a header) → HTTP Request (GET /events, Authorization {{ $json.data.token }})`.',
		`- 2a: \`Webhook → Code (${int(config.participants)} records) → Tracx (Participant → Create or Update Many, Map Automatically, Race empty so each item's race_id column is used)\`; a′ the same with Race By ID {{ $json.race_id }} (an expression per item); b the same with Create or Update.`,
		'- 2c: `Webhook → HTTP Request (POST /session-token) → Code → HTTP Request (POST /participant per item, Authorization from the first node, JSON body {{ JSON.stringify($json) }}, default options: no batching)`.',
		'- 2d: `node test/bench/direct.js`: one session-token exchange, the same records, the batches POSTed with fetch (keep-alive); timed inside the script.',
		'- 3: `node --expose-gc test/bench/overhead.js`: the compiled operation on a stand-in context.',
	];
}

function renderReport(results) {
	const { config, environment: env, load } = results;
	return [
		`### Benchmark (${env.date.slice(0, 10)})`,
		'',
		`n8n ${env.runtime.n8n} on Node ${env.runtime.node}, n8n-nodes-tracx ${env.package}, ${env.cpu}, ${env.memoryGb} GB; bench and sandbox on Node ${env.benchNode.slice(1)}. Tracx sandbox on 127.0.0.1 with ${config.latencyMs} ms latency per API request. Reproduce: \`npm run bench\` (${int(results.totalSeconds / 60)} min here).`,
		'',
		...whatRan(config),
		'',
		...tokenTable(results, config),
		'',
		...bulkTable(results, config),
		'',
		...concurrencyTable(results),
		'',
		...overheadTable(results, config),
		'',
		`Load average (1 min) at start / after item 1 / at end: ${load.start[0]} / ${load.afterTokenReuse[0]} / ${load.end[0]} on ${env.cpu.split('× ').pop()} cores; other work on the machine adds noise, hence medians and ranges.`,
	].join('\n');
}

module.exports = { renderReport };
