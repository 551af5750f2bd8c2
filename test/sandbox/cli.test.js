'use strict';

const { spawn } = require('node:child_process');
const net = require('node:net');
const path = require('node:path');
const { once } = require('node:events');

const CLI = path.join(__dirname, 'cli.js');

/** Starts the CLI; resolves to { child, ready, exit } once the ready line is printed. */
function startCli(args) {
	const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
	let stdout = '';
	let stderr = '';
	child.stderr.on('data', (chunk) => (stderr += chunk));
	const exit = once(child, 'exit').then(([code, signal]) => ({ code, signal, stdout, stderr }));
	const ready = new Promise((resolve, reject) => {
		child.stdout.on('data', (chunk) => {
			stdout += chunk;
			if (stdout.includes('\n')) resolve(JSON.parse(stdout.split('\n')[0]));
		});
		exit.then((result) => reject(new Error(`cli exited early: ${JSON.stringify(result)}`)));
	});
	return { child, ready, exit };
}

function freePort() {
	return new Promise((resolve) => {
		const server = net.createServer().listen(0, '127.0.0.1', () => {
			const { port } = server.address();
			server.close(() => resolve(port));
		});
	});
}

describe('cli.js', () => {
	test('prints one ready line, applies its flags and exits 0 on SIGTERM', async () => {
		const port = await freePort();
		const { child, ready, exit } = startCli([
			'--port',
			String(port),
			'--lifetime',
			'120',
			'--bulk-delay=15',
			'--latency',
			'2',
			'--auth-mode',
			'bearer',
		]);
		const line = await ready;
		expect(line).toEqual({
			ready: true,
			baseUrl: `http://127.0.0.1:${port}/v1/connect`,
			origin: `http://127.0.0.1:${port}`,
		});

		const health = await (await fetch(`${line.origin}/__sandbox/health`)).json();
		expect(health.settings).toMatchObject({
			lifetime: 120,
			bulkDelayMs: 15,
			latencyMs: 2,
			authMode: 'bearer',
		});
		const exchange = await fetch(`${line.baseUrl}/session-token`, {
			method: 'POST',
			headers: { Authorization: 'fake-connect-token-all', Accept: 'application/json' },
		});
		const { data } = await exchange.json();
		expect(data.expires_at - Math.floor(Date.now() / 1000)).toBeGreaterThanOrEqual(118);
		expect(data.expires_at - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(120);

		child.kill('SIGTERM');
		const result = await exit;
		expect(result.code).toBe(0);
		expect(result.stdout.trim().split('\n')).toHaveLength(1);
		await expect(fetch(`${line.origin}/__sandbox/health`)).rejects.toThrow();
	});

	test('exits 0 on SIGINT too', async () => {
		const { child, ready, exit } = startCli([]);
		const line = await ready;
		expect(line.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1\/connect$/);
		child.kill('SIGINT');
		expect((await exit).code).toBe(0);
	});

	test.each([
		[['--bogus', '1'], /unknown argument --bogus/],
		[['--port'], /--port needs a value/],
		[['--lifetime', 'ten'], /--lifetime must be a non-negative integer/],
		[['--auth-mode', 'basic'], /authMode must be one of/],
	])('%p exits 1 with a message on stderr and nothing on stdout', async (args, message) => {
		const { ready, exit } = startCli(args);
		ready.catch(() => {});
		const result = await exit;
		expect(result.code).toBe(1);
		expect(result.stdout).toBe('');
		expect(result.stderr).toMatch(message);
	});

	test('a port already in use exits 1', async () => {
		const blocker = net.createServer().listen(0, '127.0.0.1');
		await once(blocker, 'listening');
		try {
			const { ready, exit } = startCli(['--port', String(blocker.address().port)]);
			ready.catch(() => {});
			const result = await exit;
			expect(result.code).toBe(1);
			expect(result.stderr).toMatch(/EADDRINUSE/);
		} finally {
			blocker.close();
		}
	});
});
