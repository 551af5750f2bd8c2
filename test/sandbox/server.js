'use strict';

/**
 * A local stand-in for the Tracx Connect API, bound to 127.0.0.1. `startSandbox(options)`
 * resolves once it is listening; see README.md for the endpoints and controls.
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { Store } = require('./store');
const { TokenRegistry } = require('./tokens');
const { Metrics } = require('./metrics');
const { Faults } = require('./faults');
const { Imports } = require('./imports');
const { createApi, API_ROUTES, BASE_PATH } = require('./api');
const { createControl, createControlHandler, AUTH_MODES } = require('./control');
const { sendJson } = require('./http-util');

const HOST = '127.0.0.1';
const SEED_FILE = path.join(__dirname, 'seed.json');

function loadSeed(seed) {
	return structuredClone(seed ?? JSON.parse(fs.readFileSync(SEED_FILE, 'utf8')));
}

function checkOption(condition, message) {
	if (!condition) throw new TypeError(`startSandbox: ${message}`);
}

const isNonNegativeInteger = (value) => Number.isSafeInteger(value) && value >= 0;

/** Applies defaults and rejects option values that would only fail later, confusingly. */
function readOptions(options) {
	const {
		port = 0,
		lifetime = 3600,
		bulkDelayMs = 200,
		latencyMs = 0,
		authMode = 'any',
		singleSession = false,
		logLimit = 100000,
		secret = crypto.randomBytes(32),
		now = Date.now,
		seed,
	} = options;
	checkOption(
		isNonNegativeInteger(port) && port <= 65535,
		'port must be an integer from 0 to 65535',
	);
	checkOption(isNonNegativeInteger(lifetime), 'lifetime must be a non-negative integer (seconds)');
	checkOption(isNonNegativeInteger(bulkDelayMs), 'bulkDelayMs must be a non-negative integer');
	checkOption(isNonNegativeInteger(latencyMs), 'latencyMs must be a non-negative integer');
	checkOption(AUTH_MODES.includes(authMode), `authMode must be one of ${AUTH_MODES.join(', ')}`);
	checkOption(typeof singleSession === 'boolean', 'singleSession must be a boolean');
	checkOption(
		Number.isSafeInteger(logLimit) && logLimit > 0,
		'logLimit must be a positive integer',
	);
	checkOption(typeof now === 'function', 'now must be a function returning milliseconds');
	return {
		port,
		secret,
		clock: now,
		logLimit,
		seed: loadSeed(seed),
		defaults: { lifetime, bulkDelayMs, latencyMs, authMode, singleSession },
	};
}

function listen(server, port) {
	return new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, HOST, () => {
			server.off('error', reject);
			resolve(server.address().port);
		});
	});
}

/**
 * Options (all optional): port (0 = any free port), lifetime (session token seconds, 3600),
 * bulkDelayMs (200), latencyMs (0), authMode ('any' | 'bare' | 'bearer'), singleSession
 * (false), seed (an object shaped like seed.json), secret (JWT key; random by default),
 * now (() => epoch milliseconds; for tests that move the clock), logLimit (100000 entries).
 *
 * Resolves to { baseUrl, origin, port, control, stats(), reset(), close() }.
 */
async function startSandbox(options = {}) {
	const { port, secret, clock, logLimit, seed, defaults } = readOptions(options);
	const settings = { ...defaults };
	const store = new Store(clock);
	const tokens = new TokenRegistry({ secret, clock, settings });
	const metrics = new Metrics({ clock, logLimit });
	const faults = new Faults(API_ROUTES);
	const imports = new Imports({
		clock,
		settings,
		apply: (eventId, values) => values.forEach((value) => store.upsert(eventId, value)),
	});
	store.load(seed);
	tokens.load(seed.connectTokens);

	const address = { baseUrl: null, origin: null };
	const control = createControl({
		store,
		tokens,
		imports,
		faults,
		metrics,
		settings,
		defaults,
		seed,
		address,
	});
	const handleControl = createControlHandler(control);
	const handleApi = createApi({ store, tokens, imports, faults, metrics, settings, clock });

	const server = http.createServer((req, res) => {
		const url = new URL(req.url, `http://${HOST}`);
		const handler = url.pathname.startsWith('/__sandbox/') ? handleControl : handleApi;
		handler(req, res, url).catch((error) => {
			// A sandbox bug must surface as a 500 the test can see, not as a hung request.
			process.stderr.write(`tracx sandbox: ${error.stack}\n`);
			if (res.headersSent) res.destroy();
			else sendJson(res, 500, { message: 'Server Error' });
		});
	});
	const boundPort = await listen(server, port);
	address.origin = `http://${HOST}:${boundPort}`;
	address.baseUrl = `${address.origin}${BASE_PATH}`;

	let closing = null;
	return {
		baseUrl: address.baseUrl,
		origin: address.origin,
		port: boundPort,
		control,
		stats: control.stats,
		reset: control.reset,
		/** Stops listening, drops open (keep-alive) connections and cancels pending imports. */
		close() {
			closing ??= new Promise((resolve) => {
				imports.clear();
				server.close(() => resolve());
				server.closeAllConnections();
			});
			return closing;
		},
	};
}

module.exports = { startSandbox };
