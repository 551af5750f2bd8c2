'use strict';

/**
 * Another host, for redirect tests: a server on 127.0.0.2 (any loopback address) that
 * answers every request as a Tracx would (a session token for a POST to …/session-token, an
 * empty list otherwise) and records what reached it. It records whether an Authorization
 * header came, never its value, so no token is kept.
 */
const http = require('node:http');
const { sendJson } = require('./http-util');

/** The token it hands out, so a test can look for it where nothing from here may be stored. */
const FOREIGN_SESSION_TOKEN = 'fake-foreign-session-token';

function startForeignHost({ host = '127.0.0.2' } = {}) {
	const requests = [];
	const server = http.createServer((req, res) => {
		const url = new URL(req.url, `http://${host}`);
		requests.push({
			method: req.method,
			path: url.pathname,
			authorization: req.headers.authorization !== undefined,
		});
		req.resume();
		req.on('end', () => {
			if (req.method === 'POST' && url.pathname.endsWith('/session-token')) {
				const expiresAt = Math.floor(Date.now() / 1000) + 3600;
				return sendJson(res, 200, {
					data: { token: FOREIGN_SESSION_TOKEN, expires_at: expiresAt },
				});
			}
			return sendJson(res, 200, { data: { items: [] } });
		});
	});
	return new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, host, () => {
			const origin = `http://${host}:${server.address().port}`;
			resolve({
				origin,
				requests,
				close: () =>
					new Promise((done) => {
						server.close(() => done());
						server.closeAllConnections();
					}),
			});
		});
	});
}

module.exports = { startForeignHost, FOREIGN_SESSION_TOKEN };
