'use strict';

/**
 * Redis and Postgres for n8n's queue mode, from Debian's packages: installed when missing,
 * started on free loopback ports with their data in a throwaway folder, and stopped with the
 * test. Each server runs under guard.js, like n8n, so it dies with the test process even when
 * that is killed.
 *
 *   const services = await startServices(); // { redis, postgres, n8nEnv, stop(), liveProcessGroups() }
 */
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const { freePort, groupAlive, signalGroup } = require('./n8n');

const GUARD = path.join(__dirname, 'guard.js');
const PACKAGES = { redis: 'redis-server', postgres: 'postgresql' };
const POSTGRES_ROOT = '/usr/lib/postgresql';
const READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 15_000;
/** apt may be busy with another job on the machine (unattended upgrades, another run). */
const APT_LOCK_TIMEOUT_S = 300;
const POLL_MS = 200;
/** Obviously fake: the cluster lives for one test run, on 127.0.0.1 only. */
const DB = { user: 'tracx_e2e', password: 'tracx-e2e-db-password-not-a-secret', database: 'n8n' };

/** This machine cannot have Redis or Postgres; the message says why, for the tests' failure. */
class ServicesUnavailableError extends Error {}

const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The PATH with the system folders added: Debian's tools (dpkg, runuser) live in sbin, which
 * the PATH of a non-login shell or a CI runner may leave out.
 */
function systemPath() {
	const dirs = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
	const system = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
	return [...new Set([...dirs, ...system])].join(path.delimiter);
}

function onPath(name, searchPath = systemPath()) {
	return searchPath
		.split(path.delimiter)
		.map((dir) => path.join(dir, name))
		.find((file) => fs.existsSync(file));
}

/** Debian installs each Postgres major into /usr/lib/postgresql/<major>/bin; take the newest. */
function postgresBinDir(root = POSTGRES_ROOT) {
	if (!fs.existsSync(root)) return undefined;
	return fs
		.readdirSync(root)
		.filter((major) => /^\d+$/.test(major))
		.sort((a, b) => Number(b) - Number(a))
		.map((major) => path.join(root, major, 'bin'))
		.find((dir) => ['initdb', 'postgres', 'pg_ctl'].every((b) => fs.existsSync(path.join(dir, b))));
}

function findBinaries(searchPath, postgresRoot) {
	return { redis: onPath('redis-server', searchPath), postgres: postgresBinDir(postgresRoot) };
}

function apt(args, log) {
	const started = Date.now();
	const outcome = spawnSync('apt-get', args, {
		encoding: 'utf8',
		env: { ...process.env, PATH: systemPath(), DEBIAN_FRONTEND: 'noninteractive' },
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	log(`apt-get ${args.join(' ')}: exit ${outcome.status} in ${Date.now() - started} ms`);
	if (outcome.error)
		throw new ServicesUnavailableError(`apt-get cannot run: ${outcome.error.message}`);
	if (outcome.status !== 0) {
		throw new ServicesUnavailableError(
			`apt-get ${args.join(' ')} failed (exit ${outcome.status}):\n${outcome.stderr.slice(-2000)}`,
		);
	}
}

/**
 * Why this machine cannot get Redis and Postgres for the queue-mode tests, with what to do,
 * or null when they are installed or apt-get can install them (apt-get present, running as
 * root). Cheap: the suite asks before anything else runs. `searchPath` (the folders to look
 * for programs in), `postgresRoot` and `uid` let a test stand for another machine.
 */
function missingPrerequisites({
	searchPath = systemPath(),
	postgresRoot = POSTGRES_ROOT,
	uid = process.getuid?.(),
} = {}) {
	const found = findBinaries(searchPath, postgresRoot);
	const missing = Object.keys(PACKAGES).filter((key) => !found[key]);
	if (missing.length === 0) return null;
	const names = missing.map((key) => PACKAGES[key]);
	const what = `The queue-mode tests need ${names.join(' and ')}, which ${names.length > 1 ? 'are' : 'is'} not installed`;
	const them = names.length > 1 ? 'them' : 'it';
	const todo =
		`install ${them} (Debian or Ubuntu: sudo apt-get install ${names.join(' ')}; ` +
		"elsewhere your system's Redis and PostgreSQL packages), or run npm test as root on Debian or Ubuntu, where it installs them with apt-get";
	if (!onPath('apt-get', searchPath))
		return `${what}, and there is no apt-get here to install ${them}: ${todo}`;
	if (uid !== 0) return `${what}, and only root can install ${them} with apt-get: ${todo}`;
	return null;
}

/**
 * Installs the Debian packages of whichever server is missing (`apt-get update` first, once).
 * Throws ServicesUnavailableError with the reason when that cannot be done on this machine.
 */
function ensureServicePackages({ log = () => {}, searchPath = systemPath(), uid } = {}) {
	const found = findBinaries(searchPath);
	const missing = Object.keys(PACKAGES).filter((key) => !found[key]);
	if (missing.length === 0) return found;
	const reason = missingPrerequisites({ searchPath, uid });
	if (reason) throw new ServicesUnavailableError(reason);
	const names = missing.map((key) => PACKAGES[key]);
	const lock = `-oDPkg::Lock::Timeout=${APT_LOCK_TIMEOUT_S}`;
	apt([lock, 'update'], log);
	apt([lock, 'install', '-y', '--no-install-recommends', ...names], log);
	const after = findBinaries(searchPath);
	const still = Object.keys(PACKAGES).filter((key) => !after[key]);
	if (still.length) {
		throw new ServicesUnavailableError(
			`installed ${names.join(' and ')}, but ${still.map((key) => PACKAGES[key]).join(' and ')} still missing`,
		);
	}
	return after;
}

/** Starts a server under the guard, as the leader of its own process group, logging to a file. */
function spawnGuarded(command, args, { logFile, env = process.env, cwd }) {
	const child = spawn(process.execPath, [GUARD, command, ...args], {
		cwd,
		env,
		detached: true,
		stdio: ['pipe', 'pipe', 'pipe'],
	});
	const log = fs.createWriteStream(logFile, { flags: 'a' });
	child.stdout.pipe(log, { end: false });
	child.stderr.pipe(log, { end: false });
	child.exited = new Promise((resolve) => {
		child.on('close', (code) => {
			child.stdin.destroy();
			signalGroup(child.pid, 'SIGKILL');
			log.end(() => resolve(code));
		});
	});
	return child;
}

async function waitFor(check, what, child) {
	const deadline = Date.now() + READY_TIMEOUT_MS;
	let exited = false;
	child.exited.then(() => (exited = true));
	while (Date.now() < deadline) {
		if (exited) throw new Error(`${what} exited before it was ready`);
		if (await check()) return;
		await delay(POLL_MS);
	}
	throw new Error(`${what} was not ready after ${READY_TIMEOUT_MS} ms`);
}

/** Waits for the group to end after `signal`, SIGKILL when it takes longer than the grace. */
async function stopGroup(child, signal) {
	if (signal) signalGroup(child.pid, signal);
	const timer = setTimeout(() => signalGroup(child.pid, 'SIGKILL'), STOP_GRACE_MS);
	await child.exited;
	clearTimeout(timer);
	// A killed process still counts until its new parent (init, once the guard is gone) reaps it.
	const reaped = Date.now() + STOP_GRACE_MS;
	while (groupAlive(child.pid) && Date.now() < reaped) await delay(POLL_MS);
}

function redisPing(port) {
	return new Promise((resolve) => {
		const socket = net.connect({ host: '127.0.0.1', port });
		socket.setTimeout(2000);
		let reply = '';
		socket.on('connect', () => socket.write('PING\r\n'));
		socket.on('data', (chunk) => {
			reply += chunk;
			if (reply.includes('\r\n')) socket.end();
		});
		socket.on('close', () => resolve(reply.startsWith('+PONG')));
		socket.on('timeout', () => socket.destroy());
		socket.on('error', () => resolve(false));
	});
}

async function startRedis(binary, dir) {
	const port = await freePort();
	const settings = {
		bind: '127.0.0.1',
		port,
		dir,
		// a queue for one test run: nothing to persist
		save: '',
		appendonly: 'no',
		daemonize: 'no',
	};
	const args = Object.entries(settings).flatMap(([name, value]) => [`--${name}`, String(value)]);
	const child = spawnGuarded(binary, args, { logFile: path.join(dir, 'redis.log'), cwd: dir });
	await waitFor(() => redisPing(port), `redis-server on port ${port}`, child);
	return {
		port,
		child,
		// SIGTERM makes Redis shut down cleanly (no snapshot: saving is off).
		stop: () => stopGroup(child, 'SIGTERM'),
	};
}

/**
 * initdb and postgres refuse to run as root: as root the cluster belongs to the `postgres`
 * user that Debian's package creates, otherwise to whoever runs the tests.
 */
function postgresOwner() {
	if (process.getuid?.() !== 0) return null;
	const line = fs
		.readFileSync('/etc/passwd', 'utf8')
		.split('\n')
		.find((entry) => entry.startsWith('postgres:'));
	if (!line)
		throw new ServicesUnavailableError(
			'Postgres must not run as root and there is no postgres user',
		);
	const [, , uid, gid] = line.split(':');
	return { name: 'postgres', uid: Number(uid), gid: Number(gid) };
}

function asOwner(owner, file, args) {
	return owner
		? [onPath('runuser') ?? 'runuser', ['-u', owner.name, '--', file, ...args]]
		: [file, args];
}

function runAsOwner(owner, file, args, env) {
	const [command, commandArgs] = asOwner(owner, file, args);
	const outcome = spawnSync(command, commandArgs, {
		encoding: 'utf8',
		env: { ...process.env, ...env },
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	if (outcome.status !== 0) {
		const why = outcome.error ? outcome.error.message : `exit ${outcome.status ?? outcome.signal}`;
		throw new Error(
			`${path.basename(file)} ${args.join(' ')} failed (${why}):\n${outcome.stdout ?? ''}${outcome.stderr ?? ''}`,
		);
	}
	return outcome.stdout;
}

async function startPostgres(binDir, dir) {
	const owner = postgresOwner();
	const bin = (name) => path.join(binDir, name);
	const dataDir = path.join(dir, 'pgdata');
	const passwordFile = path.join(dir, 'pgpass');
	fs.writeFileSync(passwordFile, `${DB.password}\n`, { mode: 0o600 });
	// The owner needs the folder for the cluster, its socket and the password file.
	if (owner) {
		fs.chownSync(dir, owner.uid, owner.gid);
		fs.chownSync(passwordFile, owner.uid, owner.gid);
	}
	runAsOwner(owner, bin('initdb'), [
		`--pgdata=${dataDir}`,
		`--username=${DB.user}`,
		`--pwfile=${passwordFile}`,
		'--auth-host=scram-sha-256',
		'--auth-local=peer',
		'--encoding=UTF8',
		'--no-locale',
		'--no-sync',
	]);
	fs.rmSync(passwordFile);

	const port = await freePort();
	const settings = {
		listen_addresses: '127.0.0.1',
		unix_socket_directories: dir,
		// a throwaway cluster: durability only costs time here
		fsync: 'off',
		synchronous_commit: 'off',
		full_page_writes: 'off',
	};
	const [command, args] = asOwner(owner, bin('postgres'), [
		...['-D', dataDir, '-p', String(port)],
		...Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
	]);
	const child = spawnGuarded(command, args, { logFile: path.join(dir, 'postgres.log'), cwd: dir });
	const client = {
		PGHOST: '127.0.0.1',
		PGPORT: String(port),
		PGUSER: DB.user,
		PGPASSWORD: DB.password,
	};
	const ready = () =>
		spawnSync(bin('pg_isready'), ['-q', '-d', 'postgres'], { env: { ...process.env, ...client } })
			.status === 0;
	await waitFor(ready, `postgres on port ${port}`, child);
	runAsOwner(null, bin('createdb'), [DB.database], client);

	return {
		port,
		child,
		...DB,
		/** Runs SQL with psql: rows as arrays of text columns. */
		query(sql) {
			const out = runAsOwner(
				null,
				bin('psql'),
				['-d', DB.database, '-AtX', '-F', '\t', '-c', sql],
				client,
			);
			return out
				.split('\n')
				.filter(Boolean)
				.map((row) => row.split('\t'));
		},
		// "fast" shutdown: ends open sessions and stops cleanly (plain SIGTERM would wait for them).
		async stop() {
			if (groupAlive(child.pid)) {
				spawnSync(...asOwner(owner, bin('pg_ctl'), ['stop', '-D', dataDir, '-m', 'fast', '-w']), {
					stdio: 'ignore',
				});
			}
			await stopGroup(child, 'SIGTERM');
		},
	};
}

/**
 * Installs what is missing, then starts Redis and a fresh Postgres cluster. `n8nEnv` is what
 * every n8n process (main, workers, CLI) needs for queue mode against them.
 */
async function startServices({ log = () => {} } = {}) {
	const binaries = ensureServicePackages({ log });
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracx-e2e-services-'));
	const started = [];
	const groups = [];
	const stop = async () => {
		for (const service of started.reverse()) await service.stop();
		started.length = 0;
		if (process.env.TRACX_E2E_KEEP === '1') process.stderr.write(`[e2e] kept ${dir}\n`);
		else fs.rmSync(dir, { recursive: true, force: true });
	};
	try {
		const redis = await startRedis(binaries.redis, dir);
		started.push(redis);
		groups.push(redis.child.pid);
		const postgres = await startPostgres(binaries.postgres, dir);
		started.push(postgres);
		groups.push(postgres.child.pid);
		const n8nEnv = {
			EXECUTIONS_MODE: 'queue',
			QUEUE_BULL_REDIS_HOST: '127.0.0.1',
			QUEUE_BULL_REDIS_PORT: String(redis.port),
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: String(postgres.port),
			DB_POSTGRESDB_DATABASE: postgres.database,
			DB_POSTGRESDB_USER: postgres.user,
			DB_POSTGRESDB_PASSWORD: postgres.password,
		};
		/** Process groups of the servers that still have a member (expected: none once stopped). */
		const liveProcessGroups = () => groups.filter(groupAlive);
		return { redis, postgres, n8nEnv, dir, stop, liveProcessGroups };
	} catch (error) {
		await stop();
		throw error;
	}
}

module.exports = {
	startServices,
	ensureServicePackages,
	missingPrerequisites,
	ServicesUnavailableError,
};
