'use strict';

/**
 * Item 3, node overhead without network: the compiled node (dist/) runs Participant →
 * Create or Update Many over `count` items with a minimal stand-in for n8n: parameters come
 * from a plain object and the HTTP helper answers at once, so what is measured is our code
 * (reading the mapping, validating and normalizing every participant, cutting batches,
 * building the output), not n8n's parameter resolution nor the network.
 *
 *   node --expose-gc test/bench/overhead.js <count> <batchSize>
 *
 * One fresh process per measurement keeps the memory figures clean. Prints one JSON line:
 * { count, ms, coldMs, heapRetainedMb, peakRssGrowthMb, requests }.
 */
const path = require('node:path');

const { makeParticipants, EVENT_ID } = require('./participants');

const dist = path.resolve(__dirname, '../../dist/nodes/Tracx/actions/participant');
const { execute } = require(path.join(dist, 'upsertMany.operation.js'));

const MB = 1024 * 1024;

function fakeContext(items, batchSize, sent) {
	const locator = (value) => ({ __rl: true, mode: 'id', value });
	const parameters = {
		event: () => locator(String(EVENT_ID)),
		race: (i) => locator(String(items[i].json.race_id)),
		'participant.mappingMode': () => 'autoMapInputData',
		'options.batchSize': () => batchSize,
	};
	return {
		getNode: () => ({
			name: 'Tracx',
			type: 'n8n-nodes-tracx.tracx',
			typeVersion: 1,
			parameters: {},
			credentials: { tracxConnectApi: { id: 'bench', name: 'bench' } },
		}),
		continueOnFail: () => false,
		getCredentials: async () => ({ baseUrl: 'http://127.0.0.1:9/v1/connect' }),
		getNodeParameter(name, itemIndex, fallback, extra) {
			const value = parameters[name]?.(itemIndex);
			if (value === undefined) return fallback;
			return extra?.extractValue && value.__rl ? value.value : value;
		},
		helpers: {
			httpRequestWithAuthentication: async (_type, options) => {
				sent.push(options.body.length);
				return { statusCode: 200, headers: {}, body: { data: { queued: options.body.length } } };
			},
		},
	};
}

async function measure(count, batchSize) {
	const items = makeParticipants(count).map((json) => ({ json }));
	const sent = [];
	const context = fakeContext(items, batchSize, sent);
	global.gc();
	const before = process.memoryUsage();
	const peakBefore = process.resourceUsage().maxRSS * 1024;
	const started = performance.now();
	const output = await execute.call(context, items);
	const ms = performance.now() - started;
	const peakAfter = process.resourceUsage().maxRSS * 1024;
	global.gc();
	const retained = process.memoryUsage().heapUsed - before.heapUsed;
	if (sent.reduce((sum, n) => sum + n, 0) !== count || output.length !== sent.length) {
		throw new Error('not every participant was sent');
	}
	return {
		count,
		ms,
		heapRetainedMb: retained / MB,
		// Growth of the process's peak RSS over its RSS just before the run.
		peakRssGrowthMb: Math.max(0, peakAfter - Math.max(before.rss, peakBefore)) / MB,
		requests: sent.length,
	};
}

async function main() {
	const [count, batchSize] = process.argv.slice(2).map(Number);
	// Memory from the first run, while the process's peak RSS is still its baseline; time
	// from a second run of the same size, the steady cost once V8 has compiled our code.
	const cold = await measure(count, batchSize);
	const warm = await measure(count, batchSize);
	process.stdout.write(`${JSON.stringify({ ...cold, ms: warm.ms, coldMs: cold.ms })}\n`);
}

main().catch((error) => {
	process.stderr.write(`${error.stack}\n`);
	process.exit(1);
});
