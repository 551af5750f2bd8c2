'use strict';

/**
 * Runs one command and takes its whole process group down with it and with the process that
 * started it.
 *
 *   node guard.js <command> [args...]
 *
 * The caller (the n8n driver, the installer) starts this script as the leader of a new process
 * group, with a pipe as its stdin; the command and whatever it forks (n8n's task runner, npm's
 * compilers) stay in that group. When the pipe closes because the caller ended in any way (even
 * SIGKILL, when no exit handler of its own runs), the guard terminates the group, so nothing
 * outlives a test run or an interrupted install. Otherwise the command's exit code is passed
 * on (128 + signal number when it was killed, as a shell reports it).
 */
const { spawn } = require('node:child_process');
const os = require('node:os');

const GRACE_MS = 5000;

const [command, ...args] = process.argv.slice(2);
const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
let orphaned = false;

function signalGroup(signal) {
	try {
		process.kill(-process.pid, signal);
	} catch {
		// The group is already empty.
	}
}

// The driver stops n8n with SIGTERM to the whole group: the guard only waits for the command.
process.on('SIGTERM', () => {});

process.stdin.on('close', () => {
	orphaned = true;
	signalGroup('SIGTERM');
	setTimeout(() => signalGroup('SIGKILL'), GRACE_MS);
});
process.stdin.resume();

child.on('error', (error) => {
	process.stderr.write(`guard: cannot start ${command}: ${error.message}\n`);
	process.exit(127);
});
child.on('exit', (code, signal) => {
	// Nobody is left to read an exit code: end whatever else is still in the group, guard included.
	if (orphaned) signalGroup('SIGKILL');
	// Helpers the command left behind (a task runner) get the same polite request as n8n does;
	// the driver sweeps the group with SIGKILL once the guard has exited.
	signalGroup('SIGTERM');
	process.exit(code ?? 128 + os.constants.signals[signal]);
});
