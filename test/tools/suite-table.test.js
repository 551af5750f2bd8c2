'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const {
	checkScenarios,
	checkStarts,
	formatTable,
	readStarts,
	scenarioNames,
	SCENARIO_LIST,
	OWN_PROCESSES,
} = require('../e2e/support/suite-table');

const report = (runtime, files, wallSeconds = 100) => ({
	runtimes: [runtime],
	wallSeconds,
	files: files.map(([file, seconds, scenarios]) => ({
		file: `test/e2e/${file}`,
		seconds,
		scenarios: scenarios.map(([fullName, status = 'passed']) => ({ fullName, status })),
	})),
});

const n8n1 = report('n8n1', [
	['a.test.js', 40.4, [['A (n8n1) one'], ['A (n8n1) two', 'failed']]],
	['b.test.js', 12, [['B (n8n1) one']]],
]);
const n8n2 = report('n8n2', [['a.test.js', 55.6, [['A (n8n2) one'], ['A (n8n2) two']]]], 130);

describe("the end-to-end suite's time table", () => {
	const starts = [
		{ runtimeKey: 'n8n1', command: 'start', file: 'shared' },
		{ runtimeKey: 'n8n2', command: 'start', file: 'shared' },
		{ runtimeKey: 'n8n1', command: 'execute', file: 'a.test.js' },
		{ runtimeKey: 'n8n1', command: 'start', file: 'b.test.js' },
		{ runtimeKey: 'n8n2', command: 'execute', file: 'a.test.js' },
		{ runtimeKey: 'n8n2', command: 'export:credentials', file: 'a.test.js' },
	];
	const table = formatTable([n8n1, n8n2], starts, { wallSeconds: 200 }).split('\n');
	const row = (name) =>
		table
			.find((line) => line.startsWith(name))
			.trim()
			.split(/\s{2,}/);

	test('one row per file, slowest first: seconds, scenarios passed and n8n starts per major', () => {
		expect(row('a.test.js')).toEqual(['a.test.js', '40', '1/2', '1', '56', '2/2', '2']);
		expect(row('b.test.js')).toEqual(['b.test.js', '12', '1/1', '1', '–', '–', '–']);
		expect(table.findIndex((l) => l.startsWith('a.test.js'))).toBeLessThan(
			table.findIndex((l) => l.startsWith('b.test.js')),
		);
	});

	test("the shared servers' starts, the sums and each process's wall time", () => {
		expect(row('shared n8n (globalSetup)')).toEqual(['shared n8n (globalSetup)', '1', '1']);
		expect(row('sum of files')).toEqual(['sum of files', '52', '3', '3', '56', '2', '3']);
		expect(row('jest process, wall')).toEqual(['jest process, wall', '100', '130']);
		expect(table.at(-1)).toBe('end-to-end wall time: 200 s (3.3 min)');
		expect(table[1].split(/\s{2,}/)).toEqual([
			'file',
			'n8n1 s',
			'scenarios',
			'n8n starts',
			'n8n2 s',
			'scenarios',
			'n8n starts',
		]);
	});

	test('reads the start log the n8n driver appends to', () => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracx-starts-'));
		const file = path.join(dir, 'starts.jsonl');
		fs.writeFileSync(file, starts.map((entry) => JSON.stringify(entry)).join('\n') + '\n');
		expect(readStarts(file)).toEqual(starts);
		expect(readStarts(path.join(dir, 'none.jsonl'))).toEqual([]);
		fs.rmSync(dir, { recursive: true });
	});
});

describe('the scenario list', () => {
	const listFile = (lines) => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracx-scenarios-'));
		const file = path.join(dir, 'scenarios.txt');
		fs.writeFileSync(file, ['# comment', '', ...lines].join('\n'));
		return file;
	};

	test('a listed scenario that did not run and one that ran unlisted are both named', () => {
		const file = listFile([
			'a.test.js :: A (n8n1) one',
			'a.test.js :: A (n8n1) two',
			'a.test.js :: A (n8n1) three',
			'b.test.js :: B (n8n1) one',
		]);
		expect(checkScenarios([n8n1, n8n2], file)).toEqual({
			listed: 4,
			ran: 5,
			missing: ['a.test.js :: A (n8n1) three'],
			unlisted: ['a.test.js :: A (n8n2) one', 'a.test.js :: A (n8n2) two'],
		});
	});

	test('a run of exactly the listed scenarios passes, whatever their status', () => {
		const file = listFile(scenarioNames([n8n1, n8n2]));
		expect(checkScenarios([n8n1, n8n2], file)).toMatchObject({ missing: [], unlisted: [] });
	});

	test('the committed list names each scenario once, by file and full name', () => {
		const lines = fs
			.readFileSync(SCENARIO_LIST, 'utf8')
			.split('\n')
			.filter((line) => line && !line.startsWith('#'));
		expect(lines.length).toBeGreaterThan(100);
		expect(new Set(lines).size).toBe(lines.length);
		for (const line of lines) expect(line).toMatch(/^[\w-]+\.test\.js :: \S/);
		const files = new Set(lines.map((line) => line.split(' :: ')[0]));
		const onDisk = fs
			.readdirSync(path.join(__dirname, '../e2e'))
			.filter((f) => f.endsWith('.test.js'));
		expect([...files].sort()).toEqual(onDisk.sort());
	});
});

describe('the n8n processes a run started', () => {
	const start = (runtimeKey, file, command = 'start') => ({ runtimeKey, command, file });
	const shared = [start('n8n1', 'shared'), start('n8n2', 'shared')];

	test('one shared n8n per major and own processes only in the listed files pass', () => {
		const starts = [
			...shared,
			start('n8n1', 'queue.test.js', 'worker'),
			start('n8n2', 'tracx.test.js', 'export:credentials'),
		];
		expect(checkStarts(starts, ['n8n1', 'n8n2'])).toEqual([]);
	});

	test('a file outside the list that starts n8n is named with its commands', () => {
		const starts = [
			...shared,
			start('n8n1', 'mcp.test.js', 'execute'),
			start('n8n2', 'mcp.test.js'),
		];
		expect(checkStarts(starts, ['n8n1', 'n8n2'])).toEqual([
			expect.stringMatching(
				/^mcp\.test\.js started n8n processes of its own \(n8n1 execute, n8n2 start\)/,
			),
		]);
	});

	test('a major without its shared n8n, or with two, is named', () => {
		const starts = [start('n8n1', 'shared'), start('n8n1', 'shared')];
		expect(checkStarts(starts, ['n8n1', 'n8n2'])).toEqual([
			'2 shared n8n processes started for n8n1, expected 1',
			'0 shared n8n processes started for n8n2, expected 1',
		]);
	});

	test('every file allowed its own processes exists and says why', () => {
		const onDisk = fs.readdirSync(path.join(__dirname, '../e2e'));
		for (const [file, reason] of Object.entries(OWN_PROCESSES)) {
			expect(onDisk).toContain(file);
			expect(reason.length).toBeGreaterThan(10);
		}
	});
});
