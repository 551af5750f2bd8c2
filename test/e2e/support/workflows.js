'use strict';

/**
 * Builders for the workflow JSON the e2e suite imports: a chain of nodes, each one
 * feeding the next, as a user would wire them in the editor.
 */

let counter = 0;

function node(name, type, typeVersion, parameters, extra = {}) {
	counter += 1;
	return {
		id: `node-${counter}-${name.replace(/\W+/g, '-')}`,
		name,
		type,
		typeVersion,
		parameters,
		position: [0, 0],
		...extra,
	};
}

/** A workflow whose nodes run one after the other, laid out left to right. */
function chain(id, nodes) {
	const connections = {};
	nodes.forEach((n, i) => {
		n.position = [i * 220, 0];
		const next = nodes[i + 1];
		if (next) connections[n.name] = { main: [[{ node: next.name, type: 'main', index: 0 }]] };
	});
	return { id, name: id, active: false, nodes, connections, settings: { executionOrder: 'v1' } };
}

const manualTrigger = () => node('Start', 'n8n-nodes-base.manualTrigger', 1, {});

/** A Code node that outputs the given records as items. */
const records = (name, list) =>
	node(name, 'n8n-nodes-base.code', 2, {
		jsCode: `return ${JSON.stringify(list)}.map((json) => ({ json }));`,
	});

const rl = (value, mode = 'id') => ({ __rl: true, mode, value });

function tracx(name, credential, parameters, extra = {}) {
	return node(name, 'n8n-nodes-tracx.tracx', 1, parameters, {
		credentials: { tracxConnectApi: { id: credential.id, name: credential.name } },
		...extra,
	});
}

/** The participant mapper in "Map Automatically" mode: input columns named like the fields. */
const autoMap = { mappingMode: 'autoMapInputData', value: null, matchingColumns: [], schema: [] };

/** A valid participant record for race 1 of the sandbox seed, numbered `n`. */
function participant(prefix, n, overrides = {}) {
	return {
		unique_id: `${prefix}-${n}`,
		first_name: `Runner${n}`,
		last_name: 'Tester',
		date_of_birth: '1991-03-15',
		race_id: 1,
		start_number: String(500 + n),
		chip_code: String(n),
		...overrides,
	};
}

/** The output items (json) of a node in a parsed `n8n execute --rawOutput` run. */
function outputOf(result, nodeName) {
	const runs = result?.data?.resultData?.runData?.[nodeName];
	if (!runs) throw new Error(`node "${nodeName}" did not run`);
	return (runs[0].data?.main?.[0] ?? []).map((item) => item.json);
}

/**
 * The items (json and pairedItem) on one output of a node in a parsed run: output 0 is the
 * regular (Success) output, output 1 the Error output of a node set to "Continue (using
 * error output)".
 */
function itemsOf(result, nodeName, output = 0) {
	const runs = result?.data?.resultData?.runData?.[nodeName];
	if (!runs) throw new Error(`node "${nodeName}" did not run`);
	return (runs[0].data?.main?.[output] ?? []).map(({ json, pairedItem }) => ({ json, pairedItem }));
}

/** The error a failed run reports, as n8n stores it. */
function errorOf(result) {
	return result?.data?.resultData?.error ?? null;
}

/**
 * A Tracx Trigger's Poll Times that poll every `seconds` (a divisor of 60). n8n refuses a
 * cron whose seconds field is not a single number, but accepts several entries: one per
 * tick of the minute, with the node's code unchanged.
 */
function pollEvery(seconds) {
	return {
		item: Array.from({ length: 60 / seconds }, (_, i) => ({
			mode: 'custom',
			cronExpression: `${i * seconds} * * * * *`,
		})),
	};
}

module.exports = {
	node,
	pollEvery,
	chain,
	manualTrigger,
	records,
	rl,
	tracx,
	autoMap,
	participant,
	outputOf,
	itemsOf,
	errorOf,
};
