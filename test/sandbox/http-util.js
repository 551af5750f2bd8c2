'use strict';

/** Small helpers shared by the API and the control endpoint. */

// Large enough for a bulk body of 100,000 participants.
const BODY_LIMIT = 64 * 1024 * 1024;

class BodyTooLarge extends Error {}

/** Reads the whole request body as text; rejects with BodyTooLarge past the limit. */
function readBody(req) {
	return new Promise((resolve, reject) => {
		const chunks = [];
		let size = 0;
		req.on('data', (chunk) => {
			size += chunk.length;
			// Keep draining so the response can still be written on this connection.
			if (size <= BODY_LIMIT) chunks.push(chunk);
		});
		req.on('end', () =>
			size > BODY_LIMIT
				? reject(new BodyTooLarge())
				: resolve(Buffer.concat(chunks).toString('utf8')),
		);
		req.on('error', reject);
	});
}

/** Parses JSON text: `{ ok: true, value }` or `{ ok: false }`. */
function parseJson(text) {
	try {
		return { ok: true, value: JSON.parse(text) };
	} catch {
		return { ok: false };
	}
}

function send(res, status, body, headers = {}) {
	const payload = Buffer.from(body);
	res.writeHead(status, { 'Content-Length': payload.length, ...headers });
	res.end(payload);
}

function sendJson(res, status, value, headers = {}) {
	send(res, status, JSON.stringify(value), { 'Content-Type': 'application/json', ...headers });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

module.exports = { readBody, parseJson, send, sendJson, sleep, BodyTooLarge };
