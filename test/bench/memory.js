'use strict';

/**
 * Peak resident memory of the n8n processes, from Linux's own accounting: VmHWM in
 * /proc/<pid>/status is the process's peak RSS, and writing 5 to /proc/<pid>/clear_refs
 * resets that peak to the current RSS. Resetting before a run and reading after it gives
 * the true peak of that run, with no sampling gaps. The driver starts n8n under guard.js as
 * the leader of its own process group; n8n and the JS task runner it forks are members.
 */
const fs = require('node:fs');

/** pid and command line of every live process in the group. */
function groupMembers(pgid) {
	const members = [];
	for (const entry of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
			// Fields after the parenthesised command name: state, ppid, pgrp, ...
			const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
			if (pgrp !== pgid) continue;
			const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
			members.push({ pid: Number(entry), cmdline });
		} catch {
			// The process ended while we looked.
		}
	}
	return members;
}

/**
 * The n8n server process (`n8n start`, not the guard that runs it) and, on 2.x, the task
 * runner process that runs Code nodes.
 */
function n8nProcesses(pgid) {
	const members = groupMembers(pgid).filter((m) => !m.cmdline.includes('guard.js'));
	const main = members.find((m) => /\/n8n\/bin\/n8n start/.test(m.cmdline));
	const runner = members.find((m) => m !== main && /task-runner/.test(m.cmdline));
	if (!main) throw new Error(`no n8n start process in group ${pgid}`);
	return { main: main.pid, runner: runner?.pid ?? null };
}

function resetPeak(pid) {
	fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

function statusMb(pid, field) {
	const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
	return Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)[1]) / 1024;
}

/** Peak RSS since the last reset, in MB. */
const peakMb = (pid) => statusMb(pid, 'VmHWM');

/** RSS now, in MB. */
const rssMb = (pid) => statusMb(pid, 'VmRSS');

module.exports = { n8nProcesses, resetPeak, peakMb, rssMb };
