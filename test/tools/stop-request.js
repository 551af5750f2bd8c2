'use strict';

/**
 * When a long-running development task (the demo) must stop, whichever way it is stopped.
 *
 * `npm run demo` runs npm → sh → gulp, and the script `exec`s gulp so that npm's shell does not
 * stay between them: npm forwards SIGINT and SIGTERM to its child only, and a shell waiting for
 * gulp would swallow SIGINT and die of SIGTERM, leaving gulp behind. npm does not forward SIGHUP
 * at all, and nothing is forwarded when npm is killed. So besides its own SIGINT, SIGTERM and
 * SIGHUP, the task watches the processes that started it, its parent and, under npm, npm
 * itself: when one of them is gone, it stops too.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const POLL_MS = 500;

/** The parent of `pid`, or undefined when it is unknown. */
function parentOf(pid) {
	try {
		const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
	} catch {
		const ps = spawnSync('ps', ['-o', 'ppid=', '-p', String(pid)], { encoding: 'utf8' });
		const ppid = Number(ps.stdout?.trim());
		return Number.isInteger(ppid) && ppid > 0 ? ppid : undefined;
	}
}

/** A zombie (ended, not yet reaped by its parent) counts as gone. */
function isRunning(pid) {
	try {
		const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
	} catch (error) {
		if (error.code === 'ENOENT' && fs.existsSync('/proc/self/stat')) return false;
	}
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return error.code === 'EPERM';
	}
}

/**
 * The processes whose end ends the task: the parent and, when npm runs the task
 * (npm_lifecycle_event is set), the parent's parent: with the script's `exec`, npm and
 * whatever started npm (a terminal's shell, a process manager); without it, npm's shell and
 * npm. Never init (pid 1), which a task started directly in a container has as its parent.
 */
function processesToWatch({ ppid = process.ppid, env = process.env, parent = parentOf } = {}) {
	const watched = [ppid];
	if (env.npm_lifecycle_event) watched.push(parent(ppid));
	return watched.filter((pid) => Number.isInteger(pid) && pid > 1);
}

/**
 * Starts watching. `reason` resolves with why the task must stop: the signal's name, or which
 * process that started it is gone. `dispose()` stops watching (the signal handlers stay until
 * then, so a signal never kills the task before it has cleaned up).
 */
function stopRequest({ watched = processesToWatch(), running = isRunning, pollMs = POLL_MS } = {}) {
	const startPpid = process.ppid;
	let timer;
	const handlers = new Map();
	const reason = new Promise((resolve) => {
		for (const signal of SIGNALS) {
			const handler = () => resolve(signal);
			handlers.set(signal, handler);
			process.on(signal, handler);
		}
		timer = setInterval(() => {
			if (process.ppid !== startPpid) resolve(`its parent process ${startPpid} ended`);
			const gone = watched.find((pid) => !running(pid));
			if (gone) resolve(`process ${gone} that started it ended`);
		}, pollMs);
		timer.unref();
	});
	const dispose = () => {
		clearInterval(timer);
		for (const [signal, handler] of handlers) process.off(signal, handler);
	};
	return { reason, dispose };
}

module.exports = { stopRequest, processesToWatch, isRunning, parentOf, SIGNALS };
