'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const {
	ensureServicePackages,
	missingPrerequisites,
	ServicesUnavailableError,
} = require('../e2e/support/services');

/** A machine of our own making: folders with the programs a test wants present. */
function machine({ programs = [], postgres = false }) {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracx-prerequisites-'));
	const bin = path.join(dir, 'bin');
	fs.mkdirSync(bin);
	for (const name of programs) fs.writeFileSync(path.join(bin, name), '', { mode: 0o755 });
	const postgresRoot = path.join(dir, 'postgresql');
	if (postgres) {
		fs.mkdirSync(path.join(postgresRoot, '15', 'bin'), { recursive: true });
		for (const name of ['initdb', 'postgres', 'pg_ctl'])
			fs.writeFileSync(path.join(postgresRoot, '15', 'bin', name), '', { mode: 0o755 });
	}
	return { searchPath: bin, postgresRoot, dir };
}

describe('what the end-to-end suite needs from the machine (checked before it starts)', () => {
	const made = [];
	const on = (spec) => {
		const m = machine(spec);
		made.push(m.dir);
		return m;
	};
	afterAll(() => made.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

	it('is there when Redis and Postgres are installed, whoever runs the tests', () => {
		const { searchPath, postgresRoot } = on({ programs: ['redis-server'], postgres: true });
		expect(missingPrerequisites({ searchPath, postgresRoot, uid: 1000 })).toBeNull();
	});

	it('is there when root can install what is missing with apt-get', () => {
		const { searchPath, postgresRoot } = on({ programs: ['apt-get'] });
		expect(missingPrerequisites({ searchPath, postgresRoot, uid: 0 })).toBeNull();
	});

	it('names the missing package and what to do when the user is not root', () => {
		const { searchPath, postgresRoot } = on({ programs: ['apt-get'], postgres: true });
		expect(missingPrerequisites({ searchPath, postgresRoot, uid: 1000 })).toBe(
			'The queue-mode tests need redis-server, which is not installed, and only root can install ' +
				'it with apt-get: install it (Debian or Ubuntu: sudo apt-get install redis-server; ' +
				"elsewhere your system's Redis and PostgreSQL packages), or run npm test as root on " +
				'Debian or Ubuntu, where it installs them with apt-get',
		);
	});

	it('names both packages and what to do when there is no apt-get, even for root', () => {
		const { searchPath, postgresRoot } = on({});
		const reason = missingPrerequisites({ searchPath, postgresRoot, uid: 0 });
		expect(reason).toMatch(
			/^The queue-mode tests need redis-server and postgresql, which are not installed, and there is no apt-get here to install them: /,
		);
		expect(reason).toContain('sudo apt-get install redis-server postgresql');
	});
});

describe('queue-mode services where apt cannot install them', () => {
	test('the tests stop with the reason, never a silent skip', () => {
		// a machine where neither redis-server nor apt-get can be found
		const elsewhere = { searchPath: '' };
		expect(() => ensureServicePackages(elsewhere)).toThrow(ServicesUnavailableError);
		expect(() => ensureServicePackages(elsewhere)).toThrow(
			/^The queue-mode tests need redis-server.* there is no apt-get here to install (it|them): install/,
		);
	});
});
