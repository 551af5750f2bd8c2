'use strict';

/**
 * Field-by-field mapping inside n8n-core's real execution contexts (1.x and 2.x), run under
 * each runtime's own Node (support/real-contexts.js): the package's jest runs on Node 20,
 * which n8n 2.x does not support, and the check must use the n8n-core that ships with the
 * runtime. No n8n server is started; each run takes a few seconds.
 *
 * In an ExecuteContext the node reads plain references ({{ $json.method }}) from its input
 * items; in a SupplyDataContext (the node as an AI tool) getInputData() holds the tool
 * call's arguments while `$json` is the calling node's item, so every field, the Event and
 * the Race must come out as n8n's own evaluation gives them.
 */
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { ensureRuntime, selectedRuntimes } = require('./support/install');

const PACKAGE_DIR = path.resolve(__dirname, '../..');
const SCRIPT = path.join(__dirname, 'support', 'real-contexts.js');
jest.setTimeout(120_000);

describe.each(selectedRuntimes())("mapping in n8n-core's real contexts (%s)", (runtimeKey) => {
	let result;
	let userFolder;

	beforeAll(async () => {
		const runtime = await ensureRuntime(runtimeKey);
		userFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'tracx-contexts-'));
		const stdout = execFileSync(runtime.nodeBin, [SCRIPT, runtime.dir, PACKAGE_DIR, userFolder], {
			encoding: 'utf8',
			timeout: 90_000,
		});
		result = JSON.parse(stdout.trim().split('\n').pop());
	});

	afterAll(() => {
		if (userFolder) fs.rmSync(userFolder, { recursive: true, force: true });
	});

	test('as a node, plain references are read from the input items, as n8n reads them', () => {
		const { n8n, output, events, inputData } = result.execute;
		expect(n8n.map((row) => row.last_name)).toEqual(['FromItem', 'SecondItem']);
		expect(output.map((p) => p.last_name)).toEqual(n8n.map((row) => row.last_name));
		expect(output.map((p) => p.team_name)).toEqual(n8n.map((row) => row.team_name));
		expect(output.map((p) => p.unique_id)).toEqual(n8n.map((row) => row.unique_id));
		expect(output.map((p) => p.start_number)).toEqual(n8n.map((row) => row.start_number));
		expect(output.map((p) => p.race_id)).toEqual(inputData.map((row) => row.race));
		expect(output.map((p) => p.race_id)).toEqual(n8n.map((row) => row.race));
		expect(events).toEqual(n8n.map((row) => row.event));
	});

	test('the whole participant as one expression ({{ $json.p }}) gives its fields', () => {
		const { output, inputData } = result.wholeValue;
		expect(output).toEqual(
			inputData.map(({ p }) => {
				const { team_name: _empty, ...sent } = p;
				return { ...sent, race_id: expect.any(Number) };
			}),
		);
	});

	test("as an AI tool, every field, the Event and the Race are what n8n's evaluation gives, not the tool arguments", () => {
		const { n8n, output, events, inputData } = result.tool;
		// the two differ: the tool arguments are not what $json means here
		expect(inputData[0].method).toBe('FromToolArguments');
		expect(n8n[0].last_name).toBe('tools/call');

		expect(output).toHaveLength(1);
		expect(output[0]).toMatchObject({
			unique_id: n8n[0].unique_id,
			last_name: n8n[0].last_name,
			team_name: n8n[0].team_name,
			start_number: n8n[0].start_number,
			race_id: n8n[0].race,
		});
		expect(n8n[0].race).not.toBe(inputData[0].race);
		expect(events).toEqual([n8n[0].event]);
		expect(events).toEqual([3]);
	});
});
