/** Running work in parallel: a bounded pool, per-key ordering, and the per-item loop every operation uses. */
import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import { cancelSignalOf } from '../shared/cancel';
import { STOPPED_MESSAGE, stopPointOf } from '../transport/errors';
import { asNodeError, errorItem } from './output-items';

/**
 * Starts `task(0)` … `task(count - 1)` in index order, at most `inFlight` at a time. Once a
 * task returns false, or `signal` (the execution's cancel signal) is aborted, no further task
 * starts; those already under way finish first.
 */
export async function inPool(
	count: number,
	inFlight: number,
	task: (index: number) => Promise<boolean>,
	signal?: AbortSignal,
): Promise<void> {
	let next = 0;
	let stopped = false;
	const lane = async () => {
		while (!stopped && !signal?.aborted && next < count) {
			if (!(await task(next++))) stopped = true;
		}
	};
	const lanes = Math.max(1, Math.min(inFlight, count));
	await Promise.all(Array.from({ length: lanes }, lane));
}

/**
 * Returns a runner under which tasks that share a key run one after the other, in the order
 * they were started, while tasks with other keys (or none) are not held up.
 */
export function inOrderPerKey(
	keyOf: (index: number) => string | undefined,
): <T>(index: number, task: () => Promise<T>) => Promise<T> {
	const tails = new Map<string, Promise<unknown>>();
	return async (index, task) => {
		const key = keyOf(index);
		if (key === undefined) return await task();
		const before = tails.get(key);
		const run = before ? before.then(task) : task();
		const tail = run.then(
			() => undefined,
			() => undefined,
		);
		tails.set(key, tail);
		void tail.then(() => {
			if (tails.get(key) === tail) tails.delete(key);
		});
		return await run;
	};
}

/**
 * Runs `work` for every input item, at most `inFlight` at a time, and returns the outputs
 * in item order. Items with the same `orderKey` are worked one after the other, in item
 * order. A failure stops the node (after the calls already under way), or with Continue On
 * Fail becomes an error item paired with that input item, so every item is accounted for.
 * Once the execution is stopped no item starts; the node then fails with a stop that says
 * how far it got (Continue On Fail does not turn a stop into error items).
 */
export async function forEachItem(
	ctx: IExecuteFunctions,
	items: INodeExecutionData[],
	work: (itemIndex: number) => Promise<INodeExecutionData[]>,
	inFlight = 1,
	orderKey: (itemIndex: number) => string | undefined = () => undefined,
): Promise<INodeExecutionData[]> {
	const signal = cancelSignalOf(ctx);
	const results: INodeExecutionData[][] = new Array(items.length);
	const cutOff: number[] = [];
	let firstStop: unknown;
	let firstFailed = Infinity;
	let firstError: unknown;
	const inOrder = inOrderPerKey(orderKey);
	await inPool(items.length, inFlight, async (i) =>
		inOrder(i, async () => {
			// an item that waited for an earlier one with its key starts nothing after a failure
			if (firstFailed !== Infinity || signal?.aborted) return false;
			try {
				results[i] = await work(i);
				return true;
			} catch (error) {
				const stopPoint = stopPointOf(error);
				if (stopPoint !== undefined) {
					if (stopPoint !== 'not sent') cutOff.push(i);
					firstStop ??= error;
					return false;
				}
				if (ctx.continueOnFail()) {
					results[i] = [errorItem(error, [i])];
					return true;
				}
				if (i < firstFailed) [firstFailed, firstError] = [i, error];
				return false;
			}
		}),
	);
	if (signal?.aborted) throw stoppedItems(ctx, items.length, results, cutOff, firstStop);
	if (firstFailed !== Infinity) throw asNodeError(ctx, firstError, firstFailed);
	return results.flat();
}

/** What a stopped run got done, cut off (under way or waiting to retry) and never sent. */
function stoppedItems(
	ctx: IExecuteFunctions,
	count: number,
	results: INodeExecutionData[][],
	cutOff: number[],
	firstStop: unknown,
): NodeOperationError {
	const done = results.filter(Boolean).length;
	const notSent = count - done - cutOff.length;
	const plural = (n: number) => `${n} item${n === 1 ? '' : 's'}`;
	const detail = (firstStop as { description?: unknown } | undefined)?.description;
	const description = [
		`Done before the stop: ${done} of ${plural(count)}.`,
		cutOff.length > 0
			? `Cut off: ${plural(cutOff.length)} (${cutOff.join(', ')}); Tracx may still have applied them.`
			: '',
		cutOff.length > 0 && typeof detail === 'string' ? `First cut off: ${detail}` : '',
		notSent > 0 ? `Not sent: ${plural(notSent)}.` : '',
		'Running the workflow again is safe: Tracx updates participants by unique_id.',
	]
		.filter(Boolean)
		.join(' ');
	return new NodeOperationError(ctx.getNode(), STOPPED_MESSAGE, { description });
}
