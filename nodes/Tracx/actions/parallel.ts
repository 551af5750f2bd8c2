/** Running work in parallel: a bounded pool, per-key ordering, and the per-item loop every operation uses. */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { asNodeError, errorItem } from './output-items';

/**
 * Starts `task(0)` … `task(count - 1)` in index order, at most `inFlight` at a time. Once a
 * task returns false no further task starts; those already under way finish first.
 */
export async function inPool(
	count: number,
	inFlight: number,
	task: (index: number) => Promise<boolean>,
): Promise<void> {
	let next = 0;
	let stopped = false;
	const lane = async () => {
		while (!stopped && next < count) {
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
 */
export async function forEachItem(
	ctx: IExecuteFunctions,
	items: INodeExecutionData[],
	work: (itemIndex: number) => Promise<INodeExecutionData[]>,
	inFlight = 1,
	orderKey: (itemIndex: number) => string | undefined = () => undefined,
): Promise<INodeExecutionData[]> {
	const results: INodeExecutionData[][] = new Array(items.length);
	let firstFailed = Infinity;
	let firstError: unknown;
	const inOrder = inOrderPerKey(orderKey);
	await inPool(items.length, inFlight, async (i) =>
		inOrder(i, async () => {
			// an item that waited for an earlier one with its key starts nothing after a failure
			if (firstFailed !== Infinity) return false;
			try {
				results[i] = await work(i);
				return true;
			} catch (error) {
				if (ctx.continueOnFail()) {
					results[i] = [errorItem(error, [i])];
					return true;
				}
				if (i < firstFailed) [firstFailed, firstError] = [i, error];
				return false;
			}
		}),
	);
	if (firstFailed !== Infinity) throw asNodeError(ctx, firstError, firstFailed);
	return results.flat();
}
