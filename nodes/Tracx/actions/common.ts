import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { itemValue, rawParameter } from '../shared/item-reference';

/** Parameters and helpers more than one operation uses. */

export function eventLocator(overrides: Partial<INodeProperties>): INodeProperties {
	return {
		displayName: 'Event',
		name: 'event',
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				typeOptions: { searchListMethod: 'searchEvents', searchable: true },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: 'e.g. 12',
				validation: [
					{
						type: 'regex',
						properties: { regex: '^\\d+$', errorMessage: 'An event ID is a whole number' },
					},
				],
			},
		],
		...overrides,
	};
}

export function raceLocator(overrides: Partial<INodeProperties>): INodeProperties {
	return {
		displayName: 'Race',
		name: 'race',
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		description:
			'The race the participants start in. Leave empty with Map Automatically to take the race_id column of each item; or choose By ID and map it.',
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				typeOptions: { searchListMethod: 'searchRaces', searchable: true },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: 'e.g. 34',
				validation: [
					{
						type: 'regex',
						properties: { regex: '^\\d+$', errorMessage: 'A race ID is a whole number' },
					},
				],
			},
		],
		...overrides,
	};
}

/**
 * Return All and Limit, left out of the tool variant: an agent always gets the whole list
 * (see limitResults), so a limit there could only be ignored.
 */
export function returnAllAndLimit(
	displayOptions: INodeProperties['displayOptions'],
): INodeProperties[] {
	const notAsTool = { ...displayOptions, hide: { ...displayOptions?.hide, '@tool': [true] } };
	return [
		{
			displayName: 'Return All',
			name: 'returnAll',
			type: 'boolean',
			default: false,
			description: 'Whether to return all results or only up to a given limit',
			displayOptions: notAsTool,
		},
		{
			displayName: 'Limit',
			name: 'limit',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 50,
			description: 'Max number of results to return',
			displayOptions: { ...notAsTool, show: { ...displayOptions?.show, returnAll: [false] } },
		},
	];
}

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
 * read once; a plain reference such as {{ $json.event }} is read from each item; any other
 * expression is evaluated by n8n for each item.
 */
export function idReader(
	ctx: IExecuteFunctions,
	parameter: 'event' | 'race',
): (item: INodeExecutionData, itemIndex: number) => number {
	const read = (itemIndex: number) =>
		ctx.getNodeParameter(parameter, itemIndex, '', { extractValue: true });
	const value = itemValue(locatorValue(rawParameter(ctx, parameter, '')), () => read(0), read);
	return (item, itemIndex) =>
		itemId(ctx, parameter, value(item, itemIndex), itemIndex, false) as number;
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

/**
 * Whether the node runs as an AI agent's tool (AI Agent, MCP Server Trigger). n8n 2.x says
 * so; n8n 1.x runs the tool variant under the node's type name with "Tool" appended.
 */
export function runsAsTool(ctx: IExecuteFunctions): boolean {
	const isToolExecution = (ctx as Partial<Pick<IExecuteFunctions, 'isToolExecution'>>)
		.isToolExecution;
	if (typeof isToolExecution === 'function' && isToolExecution.call(ctx)) return true;
	return ctx.getNode().type.endsWith('Tool');
}

/**
 * Applies Return All / Limit to a list the API returns whole (it documents no paging). An
 * agent gets the whole list: it cannot tell a cut list from a complete one and would
 * answer "there is no such race" about one it was never shown.
 */
export function limitResults<T>(ctx: IExecuteFunctions, list: T[], itemIndex: number): T[] {
	if (runsAsTool(ctx)) return list;
	if (ctx.getNodeParameter('returnAll', itemIndex, false) as boolean) return list;
	const limit = ctx.getNodeParameter('limit', itemIndex, 50) as number;
	return list.slice(0, limit);
}

/**
 * The one shape of an error item, for every operation: `{ json: { error: { message,
 * description?, …context } }, pairedItem }`.
 *
 * Under "Continue (using error output)" n8n moves an item to the error output only when the
 * item carries n8n's error object in `error`, or when its json holds nothing but `error`
 * (1.x also allows `message`; 2.x `message` and `details`). An error object on the item is
 * no use here: n8n then replaces the json with `{ error: message }`, losing the context.
 * So everything sits under the one json key `error`, which routes the item on both majors
 * and keeps its fields on either output.
 */
export function errorItem(
	error: unknown,
	pairedItems: number[],
	context: IDataObject = {},
): INodeExecutionData {
	const message = error instanceof Error ? error.message : String(error);
	const description = (error as { description?: unknown } | null)?.description;
	return {
		json: {
			error: {
				message,
				...(typeof description === 'string' && description ? { description } : {}),
				...context,
			},
		},
		pairedItem: pairedItems.map((item) => ({ item })),
	};
}

export function toItems(records: IDataObject[], itemIndex: number): INodeExecutionData[] {
	return records.map((json) => ({ json, pairedItem: { item: itemIndex } }));
}

/** The error as n8n's own error class, with the item index, ready to throw. */
export function asNodeError(
	ctx: IExecuteFunctions,
	error: unknown,
	itemIndex: number,
): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	return new NodeOperationError(
		ctx.getNode(),
		error instanceof Error ? error : new Error(String(error)),
		{ itemIndex },
	);
}

/** The Options collection of one operation. */
export function optionsCollection(
	displayOptions: INodeProperties['displayOptions'],
	options: INodeProperties[],
): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions,
		options,
	};
}

/**
 * A whole-number option of the Options collection (`options.<name>`): its field and its
 * reader, from one name, default and range. An expression can give anything; a value that
 * is not a whole number in range would send nothing, drop items or flood Tracx, so the
 * reader stops the node naming the option. Text holding a number (what an expression may
 * give) is read as that number.
 */
export function wholeNumberOption(spec: {
	displayName: string;
	name: string;
	default: number;
	max: number;
	description: string;
}): { property: INodeProperties; read: (ctx: IExecuteFunctions) => number } {
	const { displayName, name, default: fallback, max, description } = spec;
	return {
		property: {
			displayName,
			name,
			type: 'number',
			typeOptions: { minValue: 1, maxValue: max },
			default: fallback,
			description,
		},
		read(ctx) {
			const raw = ctx.getNodeParameter(`options.${name}`, 0, fallback) as unknown;
			const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
			if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= max) {
				return value;
			}
			throw new NodeOperationError(
				ctx.getNode(),
				`"${displayName}" must be a whole number from 1 to ${max}, got ${String(raw).slice(0, 40)}`,
			);
		},
	};
}

/** An "… in Parallel" option (`options.inFlight`): how many requests are under way at once. */
export function inFlightOption(spec: {
	displayName: string;
	default: number;
	max: number;
	description: string;
}): ReturnType<typeof wholeNumberOption> {
	return wholeNumberOption({ ...spec, name: 'inFlight' });
}

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

/** The Operation selector of one resource. */
export function operationSelector(
	resource: string,
	options: NonNullable<INodeProperties['options']>,
	defaultValue: string,
): INodeProperties {
	return {
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: [resource] } },
		options,
		default: defaultValue,
	};
}
