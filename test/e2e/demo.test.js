'use strict';

/**
 * `npm run demo` leaves nothing running, whichever way it is stopped: the signals a terminal,
 * a process manager or a CI step sends to npm, the terminal closing, and npm being killed
 * outright (what happens when the process that started it dies and takes it along). Each way
 * starts the demo as a user does and records every process it started (npm's shell, gulp, the
 * guards, n8n, its task runner) before stopping it.
 *
 * Only n8n 2.x: it is what the demo runs unless told otherwise, and how the demo stops does not
 * depend on the n8n major (both run under the same guard and driver, which the other e2e files
 * check on both majors). One demo start costs about 20 s, so each way starts it once.
 */
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '../..');
const READY_TIMEOUT_MS = 240_000;
const GONE_TIMEOUT_MS = 40_000;
const POLL_MS = 200;

const { delay } = require('./support/wait');

/** Every process's parent, from /proc. */
function parents() {
	const map = new Map();
	for (const entry of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
			const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
			map.set(Number(entry), { ppid: Number(fields[1]), state: fields[0] });
		} catch {
			// ended while we looked
		}
	}
	return map;
}

/** `root` and all its descendants, with their command lines. */
function processTree(root) {
	const all = parents();
	const found = new Map();
	const queue = [root];
	while (queue.length) {
		const pid = queue.shift();
		let command = '';
		try {
			command = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
		} catch {
			continue;
		}
		found.set(pid, command);
		for (const [child, { ppid }] of all) if (ppid === pid) queue.push(child);
	}
	return found;
}

/** Those of `pids` that still run (a zombie has ended). */
function stillRunning(pids) {
	const all = parents();
	return pids.filter((pid) => all.has(pid) && all.get(pid).state !== 'Z');
}

function portAnswers(port) {
	return new Promise((resolve) => {
		const socket = net.connect({ host: '127.0.0.1', port });
		socket.once('connect', () => {
			socket.destroy();
			resolve(true);
		});
		socket.once('error', () => resolve(false));
	});
}

/**
 * Starts `npm run demo`, in a terminal of its own when `terminal` is set (util-linux `script`
 * gives it a pseudo-terminal; killing `script` closes that terminal). Resolves once the demo
 * says n8n is running.
 */
async function startDemo({ terminal = false } = {}) {
	const env = {
		...process.env,
		TRACX_DEMO_RUNTIME: 'n8n2',
		SHELL: '/bin/sh',
		// the n8n processes the demo starts count as this file's in the suite's time table
		TRACX_E2E_STATS_LABEL: 'demo.test.js',
	};
	const child = terminal
		? spawn('script', ['-qfec', 'npm run demo', '/dev/null'], { cwd: ROOT, env })
		: spawn('npm', ['run', 'demo'], { cwd: ROOT, env });
	let output = '';
	child.stdout.on('data', (chunk) => (output += chunk));
	child.stderr.on('data', (chunk) => (output += chunk));
	const exited = new Promise((resolve) =>
		child.once('exit', (code, signal) => resolve({ code, signal })),
	);
	const deadline = Date.now() + READY_TIMEOUT_MS;
	for (;;) {
		const n8nUrl = output.match(/n8n \S+ is running at (http:\/\/127\.0\.0\.1:(\d+))/);
		const sandbox = output.match(/Tracx sandbox: http:\/\/127\.0\.0\.1:(\d+)/);
		if (n8nUrl && sandbox) {
			return {
				child,
				exited,
				output: () => output,
				n8nPort: Number(n8nUrl[2]),
				sandboxPort: Number(sandbox[1]),
			};
		}
		if (child.exitCode !== null || Date.now() > deadline) {
			child.kill('SIGKILL');
			throw new Error(`the demo did not start:\n${output.slice(-4000)}`);
		}
		await delay(POLL_MS);
	}
}

const WAYS = [
	['SIGINT to npm', { signal: 'SIGINT' }],
	['SIGTERM to npm (a process manager, a CI step)', { signal: 'SIGTERM' }],
	['SIGHUP to npm', { signal: 'SIGHUP' }],
	[
		'npm killed outright (SIGKILL), as when the process that started it dies',
		{ signal: 'SIGKILL' },
	],
	['its terminal closing', { terminal: true }],
];

describe('npm run demo (n8n 2.x) leaves nothing running once stopped', () => {
	let tree = new Map();

	afterEach(() => {
		// Whatever a failed test left behind must not outlive the suite.
		for (const pid of stillRunning([...tree.keys()])) {
			try {
				process.kill(pid, 'SIGKILL');
			} catch {
				// already gone
			}
		}
	});

	test.each(WAYS)(
		'%s',
		async (_, { signal, terminal }) => {
			const demo = await startDemo({ terminal });
			tree = processTree(demo.child.pid);
			const commands = [...tree.values()];
			// What the demo started: gulp, and n8n with its JS task runner, both under the guard.
			expect(commands.some((command) => /gulp(\.js)? demo/.test(command))).toBe(true);
			expect(commands.some((command) => /guard\.js .*n8n start/.test(command))).toBe(true);
			expect(commands.some((command) => /task-runner|runners/.test(command))).toBe(true);
			expect(await portAnswers(demo.n8nPort)).toBe(true);
			expect(await portAnswers(demo.sandboxPort)).toBe(true);

			// Without a terminal, the child is npm itself; with one, it is `script`, the terminal.
			demo.child.kill(terminal ? 'SIGKILL' : signal);

			const pids = [...tree.keys()];
			const deadline = Date.now() + GONE_TIMEOUT_MS;
			while (stillRunning(pids).length > 0 && Date.now() < deadline) await delay(POLL_MS);
			const left = stillRunning(pids).map((pid) => `${pid} ${tree.get(pid)}`);
			expect({ left, output: left.length ? demo.output().slice(-3000) : '' }).toEqual({
				left: [],
				output: '',
			});
			expect(await portAnswers(demo.n8nPort)).toBe(false);
			expect(await portAnswers(demo.sandboxPort)).toBe(false);
			await demo.exited;
		},
		300_000,
	);
});
