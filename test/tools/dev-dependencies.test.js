'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { mismatch, checkInstalled } = require('./dev-dependencies');

const entry = (version, extra = {}) => ({ version, integrity: `sha512-${version}`, ...extra });

const LOCK = {
	lockfileVersion: 3,
	packages: {
		'': { name: 'n8n-nodes-tracx', devDependencies: { gulp: '5.0.1' } },
		'node_modules/gulp': entry('5.0.1'),
		'node_modules/glob-watcher/node_modules/chokidar': entry('3.6.0'),
		'node_modules/@napi-rs/canvas-darwin-arm64': entry('0.1.80', { optional: true }),
		'node_modules/@eslint/js': entry('9.39.5', { extraneous: true }),
	},
};

const INSTALLED = {
	lockfileVersion: 3,
	packages: {
		'node_modules/gulp': entry('5.0.1'),
		'node_modules/glob-watcher/node_modules/chokidar': entry('3.6.0'),
	},
};

describe('dev dependencies against package-lock.json', () => {
	it('match when every locked package is installed (optional ones for other platforms and extraneous ones may be missing)', () => {
		expect(mismatch(LOCK, INSTALLED)).toBeNull();
	});

	it('differ when nothing is installed', () => {
		expect(mismatch(LOCK, undefined)).toBe(
			'no dev dependencies installed (node_modules is missing)',
		);
	});

	it('differ when a locked package is missing, naming it', () => {
		const { ['node_modules/glob-watcher/node_modules/chokidar']: _, ...packages } =
			INSTALLED.packages;
		expect(mismatch(LOCK, { packages })).toBe('chokidar 3.6.0 is not installed');
	});

	it('differ when an installed version or integrity is not the locked one', () => {
		const older = { packages: { ...INSTALLED.packages, 'node_modules/gulp': entry('4.0.2') } };
		expect(mismatch(LOCK, older)).toBe('gulp is 4.0.2, package-lock.json wants 5.0.1');
		const repacked = {
			packages: {
				...INSTALLED.packages,
				'node_modules/gulp': { version: '5.0.1', integrity: 'sha512-other' },
			},
		};
		expect(mismatch(LOCK, repacked)).toBe(
			'gulp 5.0.1 is not the build package-lock.json names (integrity)',
		);
	});

	it('differ when a package is installed that the lockfile no longer names', () => {
		const extra = { packages: { ...INSTALLED.packages, 'node_modules/left-pad': entry('1.3.0') } };
		expect(mismatch(LOCK, extra)).toBe('left-pad is installed but not in package-lock.json');
	});

	it('are read from the project folder', () => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracx-dev-deps-'));
		try {
			fs.writeFileSync(path.join(dir, 'package-lock.json'), JSON.stringify(LOCK));
			expect(checkInstalled(dir)).toMatch(/node_modules is missing/);
			fs.mkdirSync(path.join(dir, 'node_modules'));
			fs.writeFileSync(
				path.join(dir, 'node_modules', '.package-lock.json'),
				JSON.stringify(INSTALLED),
			);
			expect(checkInstalled(dir)).toBeNull();
		} finally {
			fs.rmSync(dir, { recursive: true, force: true });
		}
	});

	it("read the project's real lockfile as npm installs it", () => {
		const lock = JSON.parse(
			fs.readFileSync(path.join(__dirname, '../../package-lock.json'), 'utf8'),
		);
		// What npm records after `npm ci` here: every locked package but the extraneous ones and
		// the optional ones for other platforms.
		const packages = Object.fromEntries(
			Object.entries(lock.packages).filter(
				([key, entry]) => key !== '' && !entry.extraneous && !entry.optional,
			),
		);
		expect(mismatch(lock, { packages })).toBeNull();
		const { ['node_modules/gulp']: gulp, ...withoutGulp } = packages;
		expect(mismatch(lock, { packages: withoutGulp })).toBe(`gulp ${gulp.version} is not installed`);
	});
});
