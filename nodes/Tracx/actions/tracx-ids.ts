/** Reading an Event or Race ID from a parameter: checked as a Tracx ID, named in the error when it is not one. */
import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import { isFixedWithBraces, itemValue, itemsAreJson, rawParameter } from './item-reference';

/**
 * A Tracx ID given as a number or as text (a resource locator's value): undefined when
 * empty. Beyond 2^53 a number no longer names one ID (9007199254740993 reads as …992, and
 * 22 digits print as 1e+21), so such IDs are refused, not rounded; the message names the
 * parameter (`label`).
 */
export function parseTracxId(raw: unknown, label: 'Event' | 'Race'): number | undefined {
	const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
	if (text === '') return undefined;
	const id = /^\d+$/.test(text) ? Number(text) : NaN;
	if (Number.isSafeInteger(id) && id >= 1) return id;
	throw new Error(
		`"${label}" must be a Tracx ${label.toLowerCase()} ID (a whole number from 1 to ${Number.MAX_SAFE_INTEGER}), got "${text.slice(0, 40)}"`,
	);
}

/**
 * Reads a resource-locator ID of one item. Returns undefined when the parameter is empty
 * and `optional` is set.
 */
export function readId(
	ctx: IExecuteFunctions,
	parameter: 'event' | 'race',
	itemIndex: number,
	optional = false,
): number | undefined {
	const raw = ctx.getNodeParameter(parameter, itemIndex, '', { extractValue: true }) as unknown;
	return itemId(ctx, parameter, raw, itemIndex, optional);
}

/**
 * A reader of a resource-locator ID for every item: chosen from the list or typed in, it is
 * read once; a plain reference such as {{ $json.event }} is read from each item (outside tool
 * mode, see itemsAreJson); any other expression is evaluated by n8n for each item.
 */
export function idReader(
	ctx: IExecuteFunctions,
	parameter: 'event' | 'race',
): (item: INodeExecutionData, itemIndex: number) => number {
	const problem = fixedWithBraces(ctx, parameter);
	if (problem) {
		return (_item, itemIndex) => {
			throw new NodeOperationError(ctx.getNode(), `Item ${itemIndex}: ${problem.message}`, {
				itemIndex,
			});
		};
	}
	const value = locatorReader(ctx, parameter);
	return (item, itemIndex) =>
		itemId(ctx, parameter, value(item, itemIndex), itemIndex, false) as number;
}

/** A Fixed value holding `{{ … }}`: refused for every item, before anything is sent. */
export class FixedWithBraces extends Error {
	constructor(label: string, raw: string) {
		const shown = raw.length > 60 ? `${raw.slice(0, 57)}…` : raw;
		super(
			`"${label}" is a Fixed value containing {{ … }} ("${shown}"), which would be sent as written: switch "${label}" to Expression`,
		);
	}
}

/** The problem of an Event or Race By ID typed with `{{ … }}` but left Fixed, if it is one. */
function fixedWithBraces(
	ctx: IExecuteFunctions,
	parameter: 'event' | 'race',
): FixedWithBraces | undefined {
	const raw = locatorValue(rawParameter(ctx, parameter, ''));
	return isFixedWithBraces(raw)
		? new FixedWithBraces(parameter === 'event' ? 'Event' : 'Race', raw)
		: undefined;
}

/**
 * The value of the Event or Race parameter per item, unchecked. A By ID value typed with
 * `{{ … }}` but left Fixed is refused for every item, naming the parameter.
 */
export function locatorReader(
	ctx: IExecuteFunctions,
	parameter: 'event' | 'race',
): (item: INodeExecutionData, itemIndex: number) => unknown {
	const problem = fixedWithBraces(ctx, parameter);
	if (problem) {
		return () => {
			throw problem;
		};
	}
	const raw = locatorValue(rawParameter(ctx, parameter, ''));
	const read = (itemIndex: number) =>
		ctx.getNodeParameter(parameter, itemIndex, '', { extractValue: true });
	return itemValue(raw, () => read(0), read, itemsAreJson(ctx));
}
/** The value of a resource locator as stored (its ID or an expression), or the raw value itself. */
export function locatorValue(raw: unknown): unknown {
	return raw !== null && typeof raw === 'object' && '__rl' in raw
		? (raw as { value?: unknown }).value
		: raw;
}

/** One item's ID from its value, or an error naming the item and the parameter. */
function itemId(
	ctx: IExecuteFunctions,
	parameter: 'event' | 'race',
	raw: unknown,
	itemIndex: number,
	optional: boolean,
): number | undefined {
	const label = parameter === 'event' ? 'Event' : 'Race';
	let id: number | undefined;
	try {
		id = parseTracxId(raw, label);
	} catch (error) {
		throw new NodeOperationError(ctx.getNode(), `Item ${itemIndex}: ${(error as Error).message}`, {
			itemIndex,
		});
	}
	if (id === undefined && !optional) {
		throw new NodeOperationError(
			ctx.getNode(),
			`Item ${itemIndex}: "${label}" is empty — choose a ${parameter} from the list or enter its ID`,
			{ itemIndex },
		);
	}
	return id;
}
