'use strict';

/** Runs one of the bench's own scripts as a child process and reads its one JSON line. */
const { execFile } = require('node:child_process');
const path = require('node:path');

function runScript(script, args, nodeArgs = []) {
	return new Promise((resolve, reject) => {
		execFile(
			process.execPath,
			[...nodeArgs, path.join(__dirname, script), ...args],
			{ maxBuffer: 1024 * 1024 },
			(error, stdout, stderr) => {
				if (error) reject(new Error(`${script} failed: ${stderr || error.message}`));
				else resolve(JSON.parse(stdout.trim().split('\n').pop()));
			},
		);
	});
}

module.exports = { runScript };
