'use strict';

/**
 * Runs the built Tracx node inside n8n-core's real execution contexts, under the runtime's
 * own Node, and prints what it read as JSON (one line). Usage:
 *
 *   <runtime node> real-contexts.js <runtime dir> <package dir> <user folder>
 *
 * Two contexts, built as n8n-core builds them for a run:
 * - ExecuteContext, as WorkflowExecute.runNode does for a node on the canvas
 *   (connectionInputData = inputData.main[0]);
 * - SupplyDataContext, as getInputConnectionData / makeHandleToolInvocation do for a node
 *   run as an AI tool: the context of the node that called the tool (its items are what
 *   `$json` means), then addInputData('ai_tool', [[{ json: toolArguments }]]).
 * In each, the node runs Create or Update Many with Validate Only (no request is made), and
 * each mapped field is also read by n8n's own getNodeParameter, for the comparison.
 */
const path = require('node:path');

const [runtimeDir, packageDir, userFolder] = process.argv.slice(2);
process.env.N8N_USER_FOLDER = userFolder;
process.env.N8N_ENCRYPTION_KEY = 'real-contexts-test-key';
process.env.N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS = 'false';

const modules = path.join(runtimeDir, 'node_modules');
const core = require(path.join(modules, 'n8n-core'));
const { Workflow, NodeConnectionTypes } = require(path.join(modules, 'n8n-workflow'));
const { Tracx } = require(path.join(packageDir, 'dist', 'nodes', 'Tracx', 'Tracx.node.js'));
const { idReader } = require(
	path.join(packageDir, 'dist', 'nodes', 'Tracx', 'actions', 'tracx-ids.js'),
);

const tracx = new Tracx();
const trigger = {
	description: {
		name: 'trigger',
		displayName: 'Trigger',
		group: ['trigger'],
		version: 1,
		defaults: {},
		inputs: [],
		outputs: ['main'],
		properties: [],
	},
};
const nodeTypes = {
	getByName: (type) => (type.startsWith('n8n-nodes-tracx.') ? tracx : trigger),
	getByNameAndVersion: (type) => (type.startsWith('n8n-nodes-tracx.') ? tracx : trigger),
	getKnownTypes: () => ({}),
};

/** The mapping under test: plain references (the node's fast path) beside expressions n8n evaluates. */
const MAPPED = {
	unique_id: '={{ $json.unique_id }}',
	first_name: 'Noor',
	last_name: '={{ $json.method }}',
	team_name: "={{ $json.method + '' }}",
	date_of_birth: '1990-05-17',
	start_number: '={{ $json["start number"] }}',
	chip_code: '1234567',
};

function parameters(participantValue = MAPPED) {
	return {
		resource: 'participant',
		operation: 'upsertMany',
		event: { __rl: true, mode: 'id', value: '={{ $json.event }}' },
		race: { __rl: true, mode: 'id', value: '={{ $json.race }}' },
		participant: {
			mappingMode: 'defineBelow',
			value: participantValue,
			matchingColumns: ['unique_id'],
			schema: [],
		},
		options: { validateOnly: true },
	};
}

function workflowWith(tracxType, participantValue) {
	return new Workflow({
		id: 'real-contexts',
		name: 'real contexts',
		nodes: [
			{
				id: '1',
				name: 'Trigger',
				type: 'test.trigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: {},
			},
			{
				id: '2',
				name: 'Tracx',
				type: tracxType,
				typeVersion: 1,
				position: [200, 0],
				parameters: parameters(participantValue),
				credentials: { tracxConnectApi: { id: '1', name: 'Tracx' } },
			},
		],
		connections: {},
		active: false,
		nodeTypes,
		settings: { executionOrder: 'v1' },
	});
}

function additionalData() {
	return {
		executionId: 'real-contexts',
		currentNodeExecutionIndex: 0,
		restApiUrl: 'http://127.0.0.1:5678/rest',
		instanceBaseUrl: 'http://127.0.0.1:5678',
		webhookBaseUrl: 'http://127.0.0.1:5678/webhook',
		webhookWaitingBaseUrl: 'http://127.0.0.1:5678/webhook-waiting',
		webhookTestBaseUrl: 'http://127.0.0.1:5678/webhook-test',
		formWaitingBaseUrl: 'http://127.0.0.1:5678/form-waiting',
		variables: {},
		userId: 'user',
	};
}

function runExecutionData(parentItems) {
	return {
		startData: {},
		resultData: {
			runData: {
				Trigger: [
					{
						startTime: 0,
						executionTime: 0,
						executionIndex: 0,
						source: [],
						data: { main: [parentItems] },
					},
				],
			},
		},
		executionData: {
			contextData: {},
			nodeExecutionStack: [],
			metadata: {},
			waitingExecution: {},
			waitingExecutionSource: {},
		},
	};
}

/** What n8n's own evaluation gives for each mapped field and the Event, item by item. */
function evaluatedByN8n(ctx, count) {
	const rows = [];
	for (let i = 0; i < count; i++) {
		const row = {
			event: ctx.getNodeParameter('event', i, '', { extractValue: true }),
			race: ctx.getNodeParameter('race', i, '', { extractValue: true }),
		};
		const mapped = ctx.getNodeParameter('participant.value', i, null, { rawExpressions: true });
		for (const id of ['unique_id', 'last_name', 'team_name', 'start_number']) {
			row[id] =
				typeof mapped === 'string'
					? ctx.getNodeParameter('participant.value', i)?.[id]
					: ctx.getNodeParameter(`participant.value.${id}`, i);
		}
		rows.push(row);
	}
	return rows;
}

async function run(ctx) {
	const items = ctx.getInputData();
	let output;
	try {
		output = (await tracx.execute.call(ctx))[0].map((item) => item.json);
	} catch (error) {
		output = { error: error.message };
	}
	const readEvent = idReader(ctx, 'event');
	return {
		inputData: items.map((item) => item.json),
		n8n: evaluatedByN8n(ctx, items.length),
		output,
		events: items.map((item, i) => readEvent(item, i)),
	};
}

/** A node on the canvas: its input items are what `$json` means. */
async function executeContext(participantValue) {
	const person = (n) => ({
		unique_id: `W-${n}`,
		first_name: 'Whole',
		last_name: 'Value',
		date_of_birth: '1990-05-17',
		start_number: `W${n}`,
		chip_code: '1234567',
		team_name: null,
	});
	const items = [
		{
			json: {
				p: person(1),
				unique_id: 'A1-1',
				method: 'FromItem',
				'start number': 'B-1',
				event: 1,
				race: 11,
			},
		},
		{
			json: {
				p: person(2),
				unique_id: 'A1-2',
				method: 'SecondItem',
				'start number': 'B-2',
				event: 2,
				race: 12,
			},
		},
	];
	const workflow = workflowWith('n8n-nodes-tracx.tracx', participantValue);
	const node = workflow.getNode('Tracx');
	const executeData = {
		node,
		data: { main: [items] },
		source: { main: [{ previousNode: 'Trigger' }] },
	};
	const ctx = new core.ExecuteContext(
		workflow,
		node,
		additionalData(),
		'manual',
		runExecutionData(items),
		0,
		items,
		{ main: [items] },
		executeData,
		[],
	);
	return await run(ctx);
}

/**
 * The node as a tool: `$json` is the item of the node that called it (here the JSON-RPC
 * request an MCP Server Trigger v2 passes on), getInputData() the tool call's arguments.
 */
async function supplyDataContext() {
	const parentItems = [
		{
			json: {
				jsonrpc: '2.0',
				method: 'tools/call',
				unique_id: 'FromRequest',
				'start number': 'R-1',
				event: 3,
				race: 13,
			},
		},
	];
	const toolArguments = {
		unique_id: 'A1-1',
		method: 'FromToolArguments',
		'start number': 'T-1',
		event: 9,
		race: 19,
	};
	const workflow = workflowWith('n8n-nodes-tracx.tracxTool');
	const node = workflow.getNode('Tracx');
	const parentNode = workflow.getNode('Trigger');
	const executeData = {
		node: parentNode,
		data: { main: [parentItems] },
		source: null,
	};
	const ctx = new core.SupplyDataContext(
		workflow,
		node,
		additionalData(),
		'manual',
		runExecutionData(parentItems),
		0,
		parentItems,
		{},
		NodeConnectionTypes.AiTool,
		executeData,
		[],
		undefined,
		parentNode,
	);
	ctx.addInputData(NodeConnectionTypes.AiTool, [[{ json: toolArguments }]]);
	return await run(ctx);
}

(async () => {
	const result = {
		coreVersion: require(path.join(modules, 'n8n-core', 'package.json')).version,
		execute: await executeContext(),
		tool: await supplyDataContext(),
		// the whole participant as one expression, as hand-written workflows give it
		wholeValue: await executeContext('={{ $json.p }}'),
	};
	process.stdout.write(`${JSON.stringify(result)}\n`);
	process.exit(0);
})().catch((error) => {
	process.stderr.write(`${error.stack}\n`);
	process.exit(1);
});
