'use strict';

/**
 * The end-to-end suite's own account of itself, printed at the end of `npm test`: seconds per
 * scenario file and major, the n8n processes each file started, and the scenario list
 * checked against `scenarios.txt`, so that nothing silently disappears.
 */
const fs = require('node:fs');
const path = require('node:path');

const SCENARIO_LIST = path.join(__dirname, 'scenarios.txt');

/** `starts.jsonl` (one line per n8n process the suite started) as a list. */
function readStarts(file) {
	if (!file || !fs.existsSync(file)) return [];
	return fs
		.readFileSync(file, 'utf8')
		.split('\n')
		.filter(Boolean)
		.map((line) => JSON.parse(line));
}

const label = (report) => (report.runtimes.length ? report.runtimes.join('+') : 'all runtimes');

const pad = (text, width, right) =>
	right ? String(text).padStart(width) : String(text).padEnd(width);

/**
 * One row per file, one column per jest process (a major, when gulp runs them side by side):
 * seconds, and the n8n processes the file started in that process (`n8n start`, `execute`,
 * CLI commands, workers). The shared servers' starts are their own row.
 */
function formatTable(reports, starts, { wallSeconds } = {}) {
	const columns = reports.map((report) => ({
		label: label(report),
		runtimes: new Set(report.runtimes),
		byFile: new Map(report.files.map((entry) => [path.basename(entry.file), entry])),
		wall: report.wallSeconds,
	}));
	const startsOf = (column, file) =>
		starts.filter(
			(entry) =>
				entry.file === file &&
				(column.runtimes.size === 0 || column.runtimes.has(entry.runtimeKey)),
		).length;
	const files = [...new Set(columns.flatMap((column) => [...column.byFile.keys()]))].sort(
		(a, b) =>
			Math.max(...columns.map((c) => c.byFile.get(b)?.seconds ?? 0)) -
			Math.max(...columns.map((c) => c.byFile.get(a)?.seconds ?? 0)),
	);
	const header = ['file', ...columns.flatMap((c) => [`${c.label} s`, 'scenarios', 'n8n starts'])];
	const rows = files.map((file) => [
		file,
		...columns.flatMap((column) => {
			const entry = column.byFile.get(file);
			if (!entry) return ['–', '–', '–'];
			const passed = entry.scenarios.filter((s) => s.status === 'passed').length;
			return [
				entry.seconds.toFixed(0),
				`${passed}/${entry.scenarios.length}`,
				String(startsOf(column, file)),
			];
		}),
	]);
	rows.push([
		'shared n8n (globalSetup)',
		...columns.flatMap((column) => ['', '', String(startsOf(column, 'shared'))]),
	]);
	rows.push([
		'sum of files',
		...columns.flatMap((column) => {
			const entries = [...column.byFile.values()];
			const seconds = entries.reduce((sum, entry) => sum + entry.seconds, 0);
			const scenarios = entries.reduce((sum, entry) => sum + entry.scenarios.length, 0);
			const allStarts = starts.filter(
				(entry) => column.runtimes.size === 0 || column.runtimes.has(entry.runtimeKey),
			).length;
			return [seconds.toFixed(0), String(scenarios), String(allStarts)];
		}),
	]);
	rows.push([
		'jest process, wall',
		...columns.flatMap((column) => [column.wall.toFixed(0), '', '']),
	]);
	const widths = header.map((_, i) => Math.max(...[header, ...rows].map((row) => row[i].length)));
	const line = (row) => row.map((cell, i) => pad(cell, widths[i], i > 0)).join('  ');
	const out = [
		'End-to-end suite: seconds per file and jest process (majors run side by side when both are selected)',
		line(header),
		line(widths.map((w) => '-'.repeat(w))),
		...rows.map(line),
	];
	if (wallSeconds !== undefined)
		out.push(
			`end-to-end wall time: ${wallSeconds.toFixed(0)} s (${(wallSeconds / 60).toFixed(1)} min)`,
		);
	return out.join('\n');
}

/** `file :: full name` of every scenario the reports hold. */
function scenarioNames(reports) {
	return reports.flatMap((report) =>
		report.files.flatMap((entry) =>
			entry.scenarios.map((s) => `${path.basename(entry.file)} :: ${s.fullName}`),
		),
	);
}

/**
 * The scenarios of a whole run against the committed list: a listed scenario that did not
 * run (renamed, removed, or its file not run) and one that ran without being listed are
 * both reported; the list is updated on purpose, in the same change that alters a scenario.
 */
function checkScenarios(reports, listFile = SCENARIO_LIST) {
	const listed = fs
		.readFileSync(listFile, 'utf8')
		.split('\n')
		.map((line) => line.trim())
		.filter((line) => line && !line.startsWith('#'));
	const ran = scenarioNames(reports);
	const ranSet = new Set(ran);
	const listedSet = new Set(listed);
	return {
		listed: listed.length,
		ran: ran.length,
		missing: listed.filter((name) => !ranSet.has(name)),
		unlisted: ran.filter((name) => !listedSet.has(name)),
	};
}

/**
 * The files that start n8n processes of their own, and why a new process is the point there;
 * every other file runs on the shared n8n of its major.
 */
const OWN_PROCESSES = {
	'trigger.test.js': 'n8n restarts under the trigger',
	'trigger-restart.test.js': 'n8n restarts under the trigger',
	'queue.test.js': 'queue mode: a main process and two workers',
	'harness.test.js': '`n8n execute` and the CLI as their users run them',
	'demo.test.js': '`npm run demo` starts its own n8n',
	'reliability.test.js': 'an `n8n execute` killed mid-import, then run again',
	'tracx.test.js': '`n8n export:credentials` reads what n8n stored',
};

/**
 * The n8n processes of a whole run against that promise: one shared server per major, and
 * processes of their own only in the files listed above. Returns what breaks it.
 */
function checkStarts(starts, runtimeKeys, ownProcesses = OWN_PROCESSES) {
	const problems = [];
	for (const key of runtimeKeys) {
		const shared = starts.filter((entry) => entry.file === 'shared' && entry.runtimeKey === key);
		if (shared.length !== 1) {
			problems.push(`${shared.length} shared n8n processes started for ${key}, expected 1`);
		}
	}
	const byFile = new Map();
	for (const entry of starts) {
		if (entry.file === 'shared' || ownProcesses[entry.file]) continue;
		byFile.set(entry.file, [
			...(byFile.get(entry.file) ?? []),
			`${entry.runtimeKey} ${entry.command}`,
		]);
	}
	for (const [file, commands] of byFile) {
		problems.push(
			`${file} started n8n processes of its own (${commands.join(', ')}): run it on the ` +
				'shared n8n, or name it and the reason in OWN_PROCESSES (test/e2e/support/suite-table.js)',
		);
	}
	return problems;
}

module.exports = {
	formatTable,
	readStarts,
	checkScenarios,
	checkStarts,
	scenarioNames,
	SCENARIO_LIST,
	OWN_PROCESSES,
};
