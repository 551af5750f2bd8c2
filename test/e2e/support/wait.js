'use strict';

/**
 * The one wait of the end-to-end files: an event (a log line, a stored execution, a request
 * the sandbox saw), never a fixed sleep. When it gives up it says what it waited for, and
 * whatever `explain` adds (the problems a log shows), so a failure reads without a rerun.
 */

const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Calls `check` (sync or async) every `everyMs` until it returns a truthy value, and returns
 * that value; throws after `ms`. `what` is a text, or a function giving it at that moment
 * (for counts that changed while waiting).
 */
async function waitFor(what, check, { ms = 60_000, everyMs = 100, explain } = {}) {
	const deadline = Date.now() + ms;
	for (;;) {
		const value = await check();
		if (value) return value;
		if (Date.now() > deadline) {
			const text = typeof what === 'function' ? what() : what;
			const more = explain ? `\n${explain()}` : '';
			throw new Error(`timed out after ${ms / 1000} s waiting for ${text}${more}`);
		}
		await delay(everyMs);
	}
}

module.exports = { delay, waitFor };
