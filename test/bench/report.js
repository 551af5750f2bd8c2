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
const ratio = (n) => `${n.toFixed(2)}×`;

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
	const node = s.nodeMs ? seconds(s.nodeMs.median) : '–';
	return `| ${label} | ${int(s.requests.median)} | ${spread(s.ms, seconds)} | ${node} | ${mb(s.peakRssN8nMb.median)} (${mb(s.rssBeforeN8nMb.median)}) / ${mb(s.peakRssTaskRunnerMb.median)} |`;
}

const find = (list, batchSize, inFlight) =>
	list.find((s) => s.batchSize === batchSize && (s.inFlight ?? s.concurrency) === inFlight);

/** Every batch size × batches in flight, in n8n (a) and from the plain script (d). */
function gridTable({ bulk, direct }, config) {
	const levels = config.concurrency;
	const isDefault = (size, level) =>
		size === config.defaultBatchSize && level === config.defaultInFlight;
	const cell = (s, size, level) => {
		const text = seconds(s.ms.median);
		return isDefault(size, level) ? `**${text}**` : text;
	};
	const fastest = [...bulk.many].sort((x, y) => x.ms.median - y.ms.median)[0];
	const chosen = find(bulk.many, config.defaultBatchSize, config.defaultInFlight);
	return [
		`Median wall time by batch size and batches in flight at once; in bold the node's defaults (batch ${int(config.defaultBatchSize)}, ${config.defaultInFlight} in parallel).`,
		'',
		`| batch | requests | ${levels.map((l) => `a) ${l} at a time`).join(' | ')} | ${levels.map((l) => `d) ${l} at a time`).join(' | ')} |`,
		`|---:|---:|${levels.map(() => '---:|').join('')}${levels.map(() => '---:|').join('')}`,
		...config.batchSizes.map(
			(size) =>
				`| ${int(size)} | ${int(Math.ceil(config.participants / size))} | ${levels.map((l) => cell(find(bulk.many, size, l), size, l)).join(' | ')} | ${levels.map((l) => cell(find(direct, size, l), size, l)).join(' | ')} |`,
		),
		'',
		`Fastest a) in this run: batch ${int(fastest.batchSize)}, ${fastest.inFlight} at a time, ${spread(fastest.ms, seconds)}; at the defaults ${spread(chosen.ms, seconds)}.`,
	];
}

/** The ratios are given at the node's defaults (what users get), d with the same batches. */
function bulkTable(results, config) {
	const { bulk, direct } = results;
	const b = config.defaultBatchSize;
	const k = config.defaultInFlight;
	const a = find(bulk.many, b, k);
	const d = find(direct, b, k);
	const tracxShare = a.ms.median - bulk.source.ms.median;
	return [
		`**2. Bulk import of ${int(config.participants)} participants** from a Code node; median of ${config.runs} runs (range in brackets). Wall time: the webhook call, i.e. the whole execution as its caller sees it; for d, the script's own time.`,
		'',
		...gridTable(results, config),
		'',
		`Per variant, at the defaults. Node time: n8n's own timing of the Tracx (or HTTP Request) node. Peak RSS: VmHWM of the \`n8n start\` process, reset before each run through /proc/<pid>/clear_refs (in brackets its RSS just before the run: it grows as n8n keeps executions), and of its JS task runner, which runs the Code node.`,
		'',
		'| variant | API requests (incl. token exchange) | wall time | node time | peak RSS n8n (before) / task runner |',
		'|---|---:|---:|---:|---:|',
		bulkRow(`a) Tracx, Create or Update Many, batch ${int(b)}, ${k} at a time`, a),
		bulkRow(`a′) the same, Race mapped as {{ $json.race_id }}`, bulk.fixedRace),
		bulkRow('a″) a, workflow set not to save successful executions', bulk.unsaved),
		bulkRow('b) Tracx, Create or Update, per item (10 at a time)', bulk.each),
		bulkRow('c) HTTP Request, per item, token fetched once by hand', bulk.http),
		`| d) plain Node script, batch ${int(b)}, ${k} at a time | ${int(d.requests.median)} | ${spread(d.ms, seconds)} | – | – |`,
		bulkRow("n8n's share of a: Webhook → Code, no Tracx node", bulk.source),
		'',
		`Ratios of median wall times at the defaults: **c/a = ${ratio(bulk.http.ms.median / a.ms.median)}** (target ≥ 20×), **a/d = ${ratio(a.ms.median / d.ms.median)}** (target ≤ 1.5×); with Race as a per-item expression: c/a′ = ${ratio(bulk.http.ms.median / bulk.fixedRace.ms.median)}, a′/d = ${ratio(bulk.fixedRace.ms.median / d.ms.median)}; without saving successful executions: a″/d = ${ratio(bulk.unsaved.ms.median / d.ms.median)}; b/a = ${ratio(bulk.each.ms.median / a.ms.median)}.`,
		'',
		`Where a's time goes: n8n's share (webhook, Code node, saving the execution) ${seconds(bulk.source.ms.median)}; the rest, ${seconds(tracxShare)}, is the Tracx node and its ${int(a.requests.median)} request${a.requests.median === 1 ? '' : 's'}: **${ratio(tracxShare / d.ms.median)}** the plain script's ${seconds(d.ms.median)} (target for the node's own share: ≤ 1.25×; a/d above includes n8n's share, which the node cannot remove).`,
	];
}

/** Batches in flight at once when each request travels further. */
function remoteTable({ remote }, config) {
	const b = config.defaultBatchSize;
	return [
		`With ${config.remoteLatencyMs} ms latency per API request instead of ${config.latencyMs} ms (nearer a round trip to a hosted API), batch ${int(b)}, median wall time:`,
		'',
		`| | ${config.concurrency.map((l) => `${l} at a time`).join(' | ')} |`,
		`|---|${config.concurrency.map(() => '---:|').join('')}`,
		`| a) Tracx, Create or Update Many | ${config.concurrency.map((l) => spread(find(remote.many, b, l).ms, seconds)).join(' | ')} |`,
		`| d) plain Node script | ${config.concurrency.map((l) => spread(find(remote.direct, b, l).ms, seconds)).join(' | ')} |`,
		`| a/d (target ≤ 1.5× at the default, ${config.defaultInFlight} at a time) | ${config.concurrency.map((l) => ratio(find(remote.many, b, l).ms.median / find(remote.direct, b, l).ms.median)).join(' | ')} |`,
	];
}

/** Item 4: own column names, which way of mapping them costs what. */
function ownColumnsTable({ ownColumns }, config) {
	const { named, namedRaceReference, fields, editFields, validateOnly } = ownColumns;
	const node = (v) => (v.nodeMs ? spread(v.nodeMs, seconds) : '–');
	// n8n 1.x runs Code nodes in-process by default: no task runner, so no figure for it
	const rss = (s) => (s ? mb(s.median) : '–');
	const row = (label, v, before = '–') =>
		`| ${label} | ${before} | ${node(v)} | ${spread(v.ms, seconds)} | ${rss(v.peakRssN8nMb)} / ${rss(v.peakRssTaskRunnerMb)} | ${int(v.requests.median)} |`;
	const editAndMap = editFields.editFieldsMs.median + editFields.nodeMs.median;
	return [
		`**4. Own column names**: ${int(config.participants)} rows of a registration export (\`Registration ID\`, \`First name\`, \`Birth date\`, \`Équipe\`…) through Create or Update Many, batch ${int(config.defaultBatchSize)}, ${config.defaultInFlight} at a time; median of ${config.mappingRuns} runs. Node time: n8n's own timing of the node(s) that map and send.`,
		'',
		'| how the columns are mapped | renaming node | Tracx node | wall time | peak RSS n8n / task runner | API requests |',
		'|---|---:|---:|---:|---:|---:|',
		row('already named like the fields, Map Automatically, Race empty (baseline)', named),
		row('already named, Race By ID `{{ $json.race_id }}`', namedRaceReference),
		row(
			'Map Each Column Manually, a plain `{{ $json… }}` per field, Race By ID `{{ $json.Race }}`',
			fields,
		),
		row(
			'Edit Fields renames the columns, then Map Automatically',
			editFields,
			spread(editFields.editFieldsMs, seconds),
		),
		row('Map Each Column Manually, Validate Only (nothing sent)', validateOnly),
		'',
		`Field-by-field node time / Map Automatically node time: **${ratio(fields.nodeMs.median / named.nodeMs.median)}** (target ≤ 1.5×); Edit Fields + Map Automatically / field-by-field: **${ratio(editAndMap / fields.nodeMs.median)}** (target ≥ 20×).`,
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
		`- 2a: \`Webhook → Code (${int(config.participants)} records) → Tracx (Participant → Create or Update Many, Map Automatically, Race empty so each item's race_id column is used)\`; a′ the same with Race By ID {{ $json.race_id }} (an expression per item); b the same with Create or Update; n8n's share: \`Webhook → Code\` alone.`,
		'- 2c: `Webhook → HTTP Request (POST /session-token) → Code → HTTP Request (POST /participant per item, Authorization from the first node, JSON body {{ JSON.stringify($json) }}, default options: no batching)`.',
		'- 2d: `node test/bench/direct.js`: one session-token exchange, the same records, the same batches POSTed with fetch (keep-alive), as many at a time as a sends; timed inside the script.',
		'- 3: `node --expose-gc test/bench/overhead.js`: the compiled operation on a stand-in context.',
		"- 4: `Webhook → Code (the same records with an export's own column names) → Tracx (Create or Update Many, Map Each Column Manually)`, or `… → Edit Fields (10 columns renamed) → Tracx (Map Automatically)`; the baseline is 2a.",
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
		...(results.tokenReuse
			? [
					...tokenTable(results, config),
					'',
					...bulkTable(results, config),
					'',
					...remoteTable(results, config),
					'',
					...overheadTable(results, config),
					'',
				]
			: []),
		...ownColumnsTable(results, config),
		'',
		`Load average (1 min) at start / after item 1 / at end: ${load.start[0]} / ${load.afterTokenReuse?.[0] ?? '–'} / ${load.end[0]} on ${env.cpu.split('× ').pop()} cores; other work on the machine adds noise, hence medians and ranges.`,
	].join('\n');
}

module.exports = { renderReport };
