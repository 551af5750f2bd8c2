'use strict';

const { spawn } = require('node:child_process');

const { stopRequest, processesToWatch, isRunning } = require('./stop-request');

describe('when the demo must stop', () => {
	it('watches its parent, and npm as well when npm runs it through its script shell', () => {
		const parent = (pid) => ({ 4100: 4000 })[pid];
		expect(processesToWatch({ ppid: 4100, env: {}, parent })).toEqual([4100]);
		expect(processesToWatch({ ppid: 4100, env: { npm_lifecycle_event: 'demo' }, parent })).toEqual([
			4100, 4000,
		]);
	});

	it('never watches init, the parent of a task started straight in a container', () => {
		expect(
			processesToWatch({ ppid: 1, env: { npm_lifecycle_event: 'demo' }, parent: () => 0 }),
		).toEqual([]);
	});

	it.each(['SIGINT', 'SIGTERM', 'SIGHUP'])('on %s', async (signal) => {
		const stop = stopRequest({ watched: [] });
		try {
			process.emit(signal, signal);
			await expect(stop.reason).resolves.toBe(signal);
		} finally {
			stop.dispose();
		}
	});

	it('when a watched process has ended', async () => {
		const alive = new Set([4100, 4000]);
		const stop = stopRequest({
			watched: [4100, 4000],
			running: (pid) => alive.has(pid),
			pollMs: 10,
		});
		try {
			alive.delete(4000);
			await expect(stop.reason).resolves.toBe('process 4000 that started it ended');
		} finally {
			stop.dispose();
		}
	});

	it('tells a running process from one that has ended and been reaped', async () => {
		const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
		expect(isRunning(child.pid)).toBe(true);
		const exited = new Promise((resolve) => child.once('exit', resolve));
		child.kill('SIGKILL');
		await exited;
		expect(isRunning(child.pid)).toBe(false);
	});

	it('leaves no signal handler behind once disposed', () => {
		const before = process.listenerCount('SIGHUP');
		const stop = stopRequest({ watched: [] });
		expect(process.listenerCount('SIGHUP')).toBe(before + 1);
		stop.dispose();
		expect(process.listenerCount('SIGHUP')).toBe(before);
	});
});
