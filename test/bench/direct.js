'use strict';

/**
 * The physical limit (2d): the same start list POSTed straight to the sandbox by a plain
 * Node script, no n8n. Runs as its own process, as n8n does, so that it does not share an
 * event loop with the sandbox.
 *
 *   node test/bench/direct.js '{"baseUrl":"http://127.0.0.1:PORT/v1/connect","count":10000,
 *                               "batchSize":500,"concurrency":1}'
 *
 * Times one session-token exchange, building the records and every batch, from the first
 * request to the last response (process start-up excluded), and prints one JSON line:
 * { ms, requests }. With concurrency > 1, that many batches are in flight at once.
 */
const { makeParticipants, EVENT_ID } = require('./participants');

const CONNECT_TOKEN = 'fake-connect-token-all';

async function post(url, authorization, body) {
	const response = await fetch(url, {
		method: 'POST',
		headers: {
			Authorization: authorization,
			Accept: 'application/json',
			'Content-Type': 'application/json',
		},
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	const text = await response.text();
	if (response.status !== 200)
		throw new Error(`${url} answered ${response.status}: ${text.slice(0, 200)}`);
	return JSON.parse(text);
}

async function main({ baseUrl, count, batchSize, concurrency }) {
	const started = performance.now();
	const session = await post(`${baseUrl}/session-token`, CONNECT_TOKEN);
	const participants = makeParticipants(count);
	const batches = [];
	for (let i = 0; i < participants.length; i += batchSize) {
		batches.push(participants.slice(i, i + batchSize));
	}
	let next = 0;
	const lane = async () => {
		while (next < batches.length) {
			const batch = batches[next++];
			await post(`${baseUrl}/events/${EVENT_ID}/participants`, session.data.token, batch);
		}
	};
	await Promise.all(Array.from({ length: concurrency }, lane));
	const ms = performance.now() - started;
	process.stdout.write(`${JSON.stringify({ ms, requests: batches.length + 1 })}\n`);
}

main(JSON.parse(process.argv[2])).catch((error) => {
	process.stderr.write(`${error.stack}\n`);
	process.exit(1);
});
