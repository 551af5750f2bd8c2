#!/usr/bin/env node
'use strict';

/**
 * Runs the sandbox as its own process:
 *   node test/sandbox/cli.js [--port N] [--lifetime SECONDS] [--bulk-delay MS] [--latency MS]
 *                            [--auth-mode any|bare|bearer]
 * Prints exactly one JSON line to stdout once listening, so a parent process can wait for it
 * and read the URL; everything else goes to stderr. SIGINT/SIGTERM close it cleanly.
 */
const { startSandbox } = require('./server');

const FLAGS = {
	'--port': { option: 'port', integer: true },
	'--lifetime': { option: 'lifetime', integer: true },
	'--bulk-delay': { option: 'bulkDelayMs', integer: true },
	'--latency': { option: 'latencyMs', integer: true },
	'--auth-mode': { option: 'authMode', integer: false },
};

function parseArgs(argv) {
	const options = {};
	const args = [...argv];
	while (args.length > 0) {
		const arg = args.shift();
		// Accept both "--port 8080" and "--port=8080".
		const [flag, inlineValue] = arg.split(/=(.*)/s);
		const spec = FLAGS[flag];
		if (!spec) throw new Error(`unknown argument ${arg} (known: ${Object.keys(FLAGS).join(', ')})`);
		const value = inlineValue ?? args.shift();
		if (value === undefined) throw new Error(`${flag} needs a value`);
		if (spec.integer && !/^\d+$/.test(value))
			throw new Error(`${flag} must be a non-negative integer`);
		options[spec.option] = spec.integer ? Number(value) : value;
	}
	return options;
}

async function main() {
	const sandbox = await startSandbox(parseArgs(process.argv.slice(2)));
	// Install the handlers before announcing readiness: a parent may signal as soon as it reads
	// the line, and a signal that arrives before a handler exists kills the process uncleanly.
	const stop = () => sandbox.close().then(() => process.exit(0));
	process.once('SIGINT', stop);
	process.once('SIGTERM', stop);
	process.stdout.write(
		`${JSON.stringify({ ready: true, baseUrl: sandbox.baseUrl, origin: sandbox.origin })}\n`,
	);
}

main().catch((error) => {
	process.stderr.write(`tracx sandbox: ${error.message}\n`);
	process.exit(1);
});
