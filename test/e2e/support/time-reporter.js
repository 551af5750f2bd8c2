'use strict';

/**
 * Jest reporter of the end-to-end suite's time: seconds per scenario file and the scenarios
 * each file ran, by status. With TRACX_E2E_REPORT set (gulp sets it, one file per jest
 * process) it writes them there as JSON for the suite's time table (support/suite-table.js);
 * otherwise it prints the table itself at the end of the run.
 */
const fs = require('node:fs');
const path = require('node:path');

const { formatTable, readStarts } = require('./suite-table');

class TimeReporter {
	constructor(globalConfig) {
		this.rootDir = globalConfig.rootDir;
		this.files = [];
		this.started = Date.now();
	}

	onTestResult(test, result) {
		if (test.context.config.displayName?.name !== 'e2e') return;
		this.files.push({
			file: path.relative(this.rootDir, result.testFilePath),
			seconds: (result.perfStats.end - result.perfStats.start) / 1000,
			failureMessage: result.failureMessage ? 'failed' : null,
			scenarios: result.testResults.map(({ fullName, status }) => ({ fullName, status })),
		});
	}

	onRunComplete() {
		if (this.files.length === 0) return;
		const report = {
			runtimes: (process.env.TRACX_E2E_RUNTIMES || '').split(',').filter(Boolean),
			wallSeconds: (Date.now() - this.started) / 1000,
			files: this.files,
		};
		const target = process.env.TRACX_E2E_REPORT;
		if (target) {
			fs.writeFileSync(target, JSON.stringify(report, null, 2));
			return;
		}
		process.stderr.write(`\n${formatTable([report], readStarts(process.env.TRACX_E2E_STATS))}\n`);
	}
}

module.exports = TimeReporter;
