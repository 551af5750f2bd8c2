'use strict';

/**
 * Development tasks. The build itself is `n8n-node build` (npm run build); these tasks
 * only put the project's real steps in order and start the local Tracx sandbox.
 *
 *   gulp test     lint, type-check the tests, build, unit tests, end-to-end suite in real n8n
 *   gulp unit     unit tests only (nock, no network)
 *   gulp check    everything but the end-to-end suite (what a release runs)
 *   gulp e2e      build, then the end-to-end suite (installs n8n into the cache on first use)
 *   gulp sandbox  the local Tracx sandbox on 127.0.0.1 until Ctrl-C
 */

const { spawn } = require('child_process');
const path = require('path');
const { series } = require('gulp');

const root = __dirname;
const bin = (name) => path.join(root, 'node_modules', '.bin', name);

function run(command, args, options = {}) {
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, { cwd: root, stdio: 'inherit', ...options });
		child.on('error', reject);
		child.on('exit', (code, signal) => {
			if (code === 0) resolve();
			else reject(new Error(`${path.basename(command)} ${args.join(' ')} failed (${signal ?? `exit ${code}`})`));
		});
	});
}

const lint = () => run('npm', ['run', '--silent', 'lint']);
lint.description = 'n8n-node lint (strict)';

const typecheck = () => run(bin('tsc'), ['--noEmit', '-p', 'test/tsconfig.json']);
typecheck.description = 'type-check the tests together with the sources';

const build = () => run('npm', ['run', '--silent', 'build']);
build.description = 'n8n-node build';

const unit = () => run(bin('jest'), ['--selectProjects', 'unit']);
unit.description = 'unit tests (jest + nock)';

const endToEnd = () => run(bin('jest'), ['--selectProjects', 'e2e', '--runInBand']);
endToEnd.description = 'the built package inside real n8n 1.x and 2.x against the sandbox';

function sandbox() {
	return run(process.execPath, [path.join(root, 'test/sandbox/cli.js'), ...process.argv.slice(3)]);
}
sandbox.description = 'start the Tracx sandbox (flags: --port, --lifetime, --latency, --bulk-delay)';

exports.lint = lint;
exports.typecheck = typecheck;
exports.build = build;
exports.unit = unit;
exports.check = series(lint, typecheck, build, unit);
exports.e2e = series(build, endToEnd);
exports.test = series(lint, typecheck, build, unit, endToEnd);
exports.sandbox = sandbox;
