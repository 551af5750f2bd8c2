/**
 * The execution's cancel signal (what n8n aborts when the user presses Stop), for the node
 * and for the session-token exchange the credential runs on the node's behalf.
 *
 * n8n runs the credential's preAuthentication with no way to reach the context's signal.
 * What it does pass on is the credential data the node handed to its request helper (the
 * node's own renewal path), and in 1.x the context's own helpers object. The node lends its
 * signal to both, so the exchange it causes ends on Stop as well: no request sent after it,
 * no retry wait kept.
 */

const lent = new WeakMap<object, AbortSignal>();

/** The signal n8n aborts when the execution is stopped; not every context has one. */
export function cancelSignalOf(ctx: unknown): AbortSignal | undefined {
	const get = (ctx as { getExecutionCancelSignal?: () => AbortSignal | undefined } | undefined)
		?.getExecutionCancelSignal;
	if (typeof get !== 'function') return undefined;
	try {
		return get.call(ctx) ?? undefined;
	} catch {
		// a context that offers the method but cannot answer it has no signal
		return undefined;
	}
}

export function lendCancelSignal(helpers: unknown, signal: AbortSignal | undefined): void {
	if (signal && helpers !== null && typeof helpers === 'object') lent.set(helpers, signal);
}

/** The signal lent to this object (credential data or helpers), if a node lent one. */
export function borrowCancelSignal(helpers: unknown): AbortSignal | undefined {
	return helpers !== null && typeof helpers === 'object' ? lent.get(helpers) : undefined;
}
