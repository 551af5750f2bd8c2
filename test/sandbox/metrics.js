'use strict';

/**
 * Counters and the request log of API traffic (control endpoint calls are not recorded, so a
 * test reading stats does not disturb them). Entries carry token labels and JWT ids only,
 * never an Authorization value.
 */
const SESSION_ROUTE = 'POST /session-token';

function increment(counts, key) {
	counts[key] = (counts[key] ?? 0) + 1;
}

class Metrics {
	/** The log keeps the newest `logLimit` entries so long benchmarks stay bounded in memory. */
	constructor({ clock, logLimit }) {
		this.clock = clock;
		this.logLimit = logLimit;
		this.reset();
	}

	reset() {
		this.seq = 0;
		this.log = [];
		this.counters = {
			exchanges: { total: 0, byLabel: {} },
			exchangeFailures: 0,
			requests: { total: 0, byRoute: {} },
			status: {},
			unauthorized: 0,
			forbidden: 0,
			requestsWithExpiredToken: 0,
			requestsWithRevokedToken: 0,
			dropped: 0,
			faultsInjected: { total: 0, byKind: {} },
		};
	}

	/**
	 * Records one finished API request. `status` is null when the connection was dropped;
	 * `issued` is true when a session token was handed out.
	 */
	record({ method, path, route, query, status, auth, fault, accept, startedAt, issued }) {
		const c = this.counters;
		c.requests.total += 1;
		increment(c.requests.byRoute, route);
		if (status === null) c.dropped += 1;
		else increment(c.status, String(status));
		if (status === 401) c.unauthorized += 1;
		if (status === 403) c.forbidden += 1;
		if (auth.expired) c.requestsWithExpiredToken += 1;
		if (auth.revoked) c.requestsWithRevokedToken += 1;
		if (fault) {
			c.faultsInjected.total += 1;
			increment(c.faultsInjected.byKind, fault);
		}
		if (route === SESSION_ROUTE) {
			if (issued) {
				c.exchanges.total += 1;
				increment(c.exchanges.byLabel, auth.label);
			} else {
				c.exchangeFailures += 1;
			}
		}

		this.seq += 1;
		this.log.push({
			seq: this.seq,
			time: new Date(this.clock()).toISOString(),
			method,
			path,
			route,
			query,
			status,
			auth,
			fault,
			accept,
			durationMs: Math.round((performance.now() - startedAt) * 1000) / 1000,
		});
		// Trim in chunks so the cost of dropping old entries is amortised.
		if (this.log.length > this.logLimit * 1.1) this.log.splice(0, this.log.length - this.logLimit);
	}

	/** Log entries with a sequence number above `since`. */
	entries(since = 0) {
		return this.log.filter((entry) => entry.seq > since);
	}

	snapshot() {
		return structuredClone(this.counters);
	}
}

module.exports = { Metrics };
