'use strict';

/**
 * The Tracx node as an AI agent's tool: the shipped example workflow (n8n's MCP Server
 * Trigger with Tracx tools) published in real n8n (1.x and 2.x), driven by a client built
 * on the official MCP SDK over Streamable HTTP, as an agent would: list the tools, call
 * them, and read what comes back, errors included.
 *
 * Runs on the shared n8n of each major (support/shared.js; on 2.x it runs with
 * N8N_DISABLED_MODULES=mcp-registry, as every n8n of the suite). The credentials and the
 * workflow are this file's own (ids translated by the driver); the MCP path and the
 * trigger's webhookId are this file's, so that other files may publish the example too. The
 * secret scan reads what the shared n8n logged (debug level) since this file attached.
 */
const fs = require('node:fs');
const path = require('node:path');

const { startSandbox } = require('../sandbox/server');
const { selectedRuntimes } = require('./support/install');
const { connectMcp } = require('./support/mcp-client');
const { sharedN8n } = require('./support/shared');

const PACKAGE_DIR = path.resolve(__dirname, '../..');
const EXAMPLE = path.join(PACKAGE_DIR, 'examples', 'mcp-server-tools.json');
jest.setTimeout(5 * 60_000);

const TOKENS = { all: 'fake-connect-token-all', read: 'fake-connect-token-read' };
/** This file's MCP endpoint (the example's own is /mcp/tracx) and its trigger's webhookId. */
const MCP_PATH = 'mcp-e2e-tracx';
const MCP_WEBHOOK_ID = '6d2c9e41-7a3b-4c5d-8e9f-0a1b2c3d4e5f';
const READ_ONLY_TOOL = 'save_participant_read_only';
const TOOL_NAMES = ['list_events', 'list_races', 'save_participant', READ_ONLY_TOOL];

/**
 * The example as shipped, plus one more tool: Create or Update with a credential that may
 * only read (no permission to store participants). One workflow: one import, one publish.
 * The trigger listens on this file's path, under this file's webhookId.
 */
function workflow() {
	const example = JSON.parse(fs.readFileSync(EXAMPLE, 'utf8'));
	const trigger = example.nodes.find((node) => node.type === '@n8n/n8n-nodes-langchain.mcpTrigger');
	trigger.parameters.path = MCP_PATH;
	trigger.webhookId = MCP_WEBHOOK_ID;
	const save = example.nodes.find((node) => node.name === 'save_participant');
	example.nodes.push({
		...save,
		id: `${save.id.slice(0, -2)}99`,
		name: READ_ONLY_TOOL,
		credentials: { tracxConnectApi: { id: 'tracxReadOnly', name: 'Tracx (read only)' } },
	});
	example.connections[READ_ONLY_TOOL] = example.connections.save_participant;
	return example;
}

/** The text an MCP tool call answered with, and whether the server flagged it as an error. */
function answerOf(result) {
	const text = result.content
		.filter((part) => part.type === 'text')
		.map((part) => part.text)
		.join('\n');
	return { text, isError: result.isError === true };
}

/** A tool's answer as data: n8n sends the output items' json as one JSON text. */
function dataOf(result) {
	const { text, isError } = answerOf(result);
	if (isError) throw new Error(`the tool answered with an error: ${text}`);
	return JSON.parse(text);
}

describe.each(selectedRuntimes())('Tracx tools over MCP in real n8n (%s)', (runtimeKey) => {
	let sandbox;
	let n8n;
	let client;

	/** Calls a tool and returns its result with the API requests the call made. */
	async function call(mcp, name, args) {
		const logged = () => sandbox.control.requests({}).items;
		const before = logged().length;
		const result = await mcp.callTool({ name, arguments: args });
		return { result, requests: logged().slice(before) };
	}

	beforeAll(async () => {
		sandbox = await startSandbox({ bulkDelayMs: 50 });
		n8n = await sharedN8n(runtimeKey);
		await n8n.importCredentials([
			{
				id: 'tracxSandbox',
				name: 'Tracx (sandbox)',
				type: 'tracxConnectApi',
				data: { connectToken: TOKENS.all, baseUrl: sandbox.baseUrl },
			},
			{
				id: 'tracxReadOnly',
				name: 'Tracx (read only)',
				type: 'tracxConnectApi',
				data: { connectToken: TOKENS.read, baseUrl: sandbox.baseUrl },
			},
		]);
		const tools = workflow();
		await n8n.importWorkflow(tools);
		await n8n.publishWorkflow(tools.id);
		client = await connectMcp(n8n.url, MCP_PATH, 'tracx-e2e-agent');
	});

	afterAll(async () => {
		await client?.close();
		await n8n?.cleanup();
		await sandbox?.close();
	});

	test('lists the Tracx tools with what they do and the inputs they take', async () => {
		const { tools } = await client.listTools();
		const byName = Object.fromEntries(tools.map((tool) => [tool.name, tool]));
		expect(Object.keys(byName).sort()).toEqual(TOOL_NAMES);

		// The node's Tool Description for the operation, not n8n's automatic "<action> in Tracx".
		expect(byName.list_events.description).toMatch(
			/^Lists the running and cycling events in Tracx .*Event IDs are whole numbers/,
		);
		expect(byName.list_races.description).toMatch(/^Lists the races .* of a Tracx event.*race ID/);
		expect(byName.save_participant.description).toMatch(
			/^Saves one participant .*Participants are matched by unique_id: the same unique_id updates the participant saved before/,
		);
		for (const tool of tools) expect(tool.description).not.toMatch(/ in Tracx$/);

		expect(Object.keys(byName.list_events.inputSchema.properties ?? {})).toEqual([]);
		expect(byName.list_races.inputSchema).toMatchObject({
			type: 'object',
			properties: {
				event_id: {
					type: 'number',
					description: 'The Tracx event ID, a whole number from list_events',
				},
			},
			required: ['event_id'],
		});
		const participant = byName.save_participant.inputSchema;
		expect(Object.keys(participant.properties).sort()).toEqual(
			[
				'chip_code',
				'date_of_birth',
				'first_name',
				'gender',
				'last_name',
				'race_id',
				'start_number',
				'unique_id',
			].sort(),
		);
		expect(participant.properties.race_id.type).toBe('number');
		expect(participant.properties.date_of_birth).toMatchObject({
			type: 'string',
			description: 'Date of birth as YYYY-MM-DD',
		});
		expect(participant.properties.gender.description).toMatch(/male, female, neutral/);
		expect(participant.required).toEqual(expect.arrayContaining(['unique_id', 'race_id']));
	});

	test('answers each tool with the records Tracx holds, over one session token', async () => {
		const exchangesBefore = sandbox.stats().exchanges.byLabel.all ?? 0;

		const events = await call(client, 'list_events', {});
		expect(dataOf(events.result).map((e) => [e.id, e.name])).toEqual([
			[1, 'Amsterdam City Run 2025'],
			[2, 'Utrecht Cycling Classic 2025'],
			[3, 'Zandvoort Beach Trail 2025'],
		]);

		const races = await call(client, 'list_races', { event_id: 1 });
		const raceList = dataOf(races.result);
		expect(raceList.map((r) => [r.id, r.event_id])).toEqual([
			[1, 1],
			[2, 1],
		]);
		expect(races.requests.map((r) => [r.route, r.query.event_id, r.status])).toEqual([
			['GET /races', '1', 200],
		]);

		const saved = await call(client, 'save_participant', {
			unique_id: 'MCP-0001',
			first_name: 'Ada',
			last_name: 'Agent',
			date_of_birth: '1990-05-17',
			start_number: 'M1',
			chip_code: '42',
			gender: 'female',
			race_id: 2,
		});
		expect(dataOf(saved.result)).toEqual([
			expect.objectContaining({
				unique_id: 'MCP-0001',
				race_id: 2,
				event_id: 1,
				chip_code: '0000042',
				gender: 'female',
			}),
		]);
		const stored = sandbox.control.participants({ event_id: 1 }).items;
		expect(stored.find((p) => p.unique_id === 'MCP-0001')).toMatchObject({
			first_name: 'Ada',
			start_number: 'M1',
		});

		// The same unique_id again updates that participant: no second record.
		const again = await call(client, 'save_participant', {
			unique_id: 'MCP-0001',
			first_name: 'Ada',
			last_name: 'Agent',
			date_of_birth: '1990-05-17',
			start_number: 'M2',
			chip_code: '42',
			gender: '',
			race_id: 2,
		});
		expect(dataOf(again.result)[0].start_number).toBe('M2');
		const updated = sandbox.control.participants({ event_id: 1 }).items;
		expect(updated.filter((p) => p.unique_id === 'MCP-0001')).toHaveLength(1);

		// Four calls, one exchange: the session token stored with the credential is reused.
		expect((sandbox.stats().exchanges.byLabel.all ?? 0) - exchangesBefore).toBe(1);
		const sessionCalls = [events, races, saved, again].flatMap((c) =>
			c.requests.filter((r) => r.auth.kind === 'session'),
		);
		expect(sessionCalls).toHaveLength(4);
		expect(new Set(sessionCalls.map((r) => r.auth.jti)).size).toBe(1);
	});

	test('a list an agent gets is never cut at the Limit', async () => {
		for (let n = 1; n <= 55; n++) sandbox.control.createRace({ event_id: 3, name: `Wave ${n}` });
		const { result } = await call(client, 'list_races', { event_id: 3 });
		const races = dataOf(result);
		expect(races).toHaveLength(56);
		expect(races.every((race) => race.event_id === 3)).toBe(true);
	});

	test('tells the agent what went wrong, naming the field', async () => {
		// Wrong type: the input schema says number, and n8n holds the call back.
		const wrongType = await call(client, 'list_races', { event_id: 'the first one' });
		expect(wrongType.requests).toEqual([]);
		expect(answerOf(wrongType.result)).toEqual({
			isError: true,
			text: expect.stringMatching(/expected number[\s\S]*event_id/i),
		});

		// An event the token cannot see (or that does not exist) has no races.
		const unknownEvent = await call(client, 'list_races', { event_id: 999 });
		expect(dataOf(unknownEvent.result)).toEqual([]);

		// A race that does not exist: Tracx's own message.
		const unknownRace = await call(client, 'save_participant', {
			unique_id: 'MCP-0002',
			first_name: 'Bo',
			last_name: 'Bot',
			date_of_birth: '1985-01-02',
			start_number: 'M3',
			chip_code: '43',
			gender: '',
			race_id: 999,
		});
		expect(answerOf(unknownRace.result)).toEqual({
			isError: true,
			text: expect.stringContaining(
				'Tracx rejected the data: race_id: The selected race id is invalid.',
			),
		});

		// Invalid participant: stopped before anything is sent, naming each field.
		const invalid = await call(client, 'save_participant', {
			unique_id: 'MCP 0003',
			first_name: 'Cy',
			last_name: 'Borg',
			date_of_birth: '1990-02-30',
			start_number: 'M4',
			chip_code: '44',
			gender: 'robot',
			race_id: 1,
		});
		expect(invalid.requests.filter((r) => r.route === 'POST /participant')).toEqual([]);
		const { text: invalidText, isError } = answerOf(invalid.result);
		expect(isError).toBe(true);
		for (const problem of [
			'"unique_id" may only contain letters, digits, "-" and "_"',
			'"date_of_birth" is not a real date (got "1990-02-30")',
			'"gender" must be one of male, female, neutral (got "robot")',
		]) {
			expect(invalidText).toContain(problem);
		}

		// Missing permission: this tool's token may list, not store.
		const forbidden = await call(client, READ_ONLY_TOOL, {
			unique_id: 'MCP-0004',
			first_name: 'Di',
			last_name: 'Denied',
			date_of_birth: '1979-12-31',
			start_number: 'M5',
			chip_code: '45',
			gender: '',
			race_id: 1,
		});
		const stores = forbidden.requests.filter((r) => r.route === 'POST /participant');
		expect(stores.map((r) => r.status)).toEqual([403]);
		expect(answerOf(forbidden.result)).toEqual({
			isError: true,
			text: expect.stringContaining(
				'The Tracx connect token lacks the permission permissions.participants.store',
			),
		});
		expect(sandbox.control.participants({}).items.map((p) => p.unique_id)).not.toContain(
			'MCP-0004',
		);

		// No answer carries a token.
		for (const result of [wrongType, unknownRace, invalid, forbidden].map((c) => c.result)) {
			expect(answerOf(result).text).not.toMatch(/fake-connect-token|eyJ/);
		}
	});

	test('after the session token expired: one 401, one renewal, and the agent gets its answer', async () => {
		sandbox.control.expireAll();
		const exchangesBefore = sandbox.stats().exchanges.byLabel.all ?? 0;
		const first = await call(client, 'list_events', {});
		expect(dataOf(first.result)).toHaveLength(3);
		const sessionCalls = first.requests.filter((r) => r.auth.kind === 'session');
		expect(sessionCalls.map((r) => [r.status, r.auth.expired])).toEqual([
			[401, true],
			[200, false],
		]);
		const second = await call(client, 'list_races', { event_id: 2 });
		expect(dataOf(second.result).map((r) => r.id)).toEqual([3, 4]);
		expect(second.requests.map((r) => [r.route, r.status])).toEqual([['GET /races', 200]]);
		expect((sandbox.stats().exchanges.byLabel.all ?? 0) - exchangesBefore).toBe(1);
	});

	test('no connect or session token appears in what n8n logged', () => {
		const log = n8n.logText();
		// what the scan reads covers this file's tool calls (the shared n8n logs at debug level)
		expect(log).toContain(`"workflowId":"${n8n.workflowId('tracxMcpServer')}"`);
		for (const token of Object.values(TOKENS)) expect(log).not.toContain(token);
		expect(log).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\./);
	});
});
