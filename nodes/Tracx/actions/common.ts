import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

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

export function returnAllAndLimit(
	displayOptions: INodeProperties['displayOptions'],
): INodeProperties[] {
	return [
		{
			displayName: 'Return All',
			name: 'returnAll',
			type: 'boolean',
			default: false,
			description: 'Whether to return all results or only up to a given limit',
			displayOptions,
		},
		{
			displayName: 'Limit',
			name: 'limit',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 50,
			description: 'Max number of results to return',
			displayOptions: { ...displayOptions, show: { ...displayOptions?.show, returnAll: [false] } },
		},
	];
}

/**
 * Reads a resource-locator ID as a positive whole number. Returns undefined when the
 * parameter is empty and `optional` is set.
 */
export function readId(
	ctx: IExecuteFunctions,
	parameter: 'event' | 'race',
	itemIndex: number,
	optional = false,
): number | undefined {
	const raw = ctx.getNodeParameter(parameter, itemIndex, '', { extractValue: true }) as unknown;
	const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
	if (text === '' && optional) return undefined;
	if (!/^\d+$/.test(text) || Number(text) < 1) {
		const label = parameter === 'event' ? 'Event' : 'Race';
		throw new NodeOperationError(
			ctx.getNode(),
			text === ''
				? `Item ${itemIndex}: "${label}" is empty — choose a ${parameter} from the list or enter its ID`
				: `Item ${itemIndex}: "${label}" must be a Tracx ${parameter} ID (a whole number), got "${text.slice(0, 40)}"`,
			{ itemIndex },
		);
	}
	return Number(text);
}

/** Applies Return All / Limit to a list the API returns whole (it documents no paging). */
export function limitResults<T>(ctx: IExecuteFunctions, list: T[], itemIndex: number): T[] {
	if (ctx.getNodeParameter('returnAll', itemIndex, false) as boolean) return list;
	const limit = ctx.getNodeParameter('limit', itemIndex, 50) as number;
	return list.slice(0, limit);
}

export function errorItem(
	error: unknown,
	pairedItems: number[],
	extra: IDataObject = {},
): INodeExecutionData {
	const message = error instanceof Error ? error.message : String(error);
	const description = (error as { description?: unknown }).description;
	return {
		json: {
			error: message,
			...(typeof description === 'string' && description ? { description } : {}),
			...extra,
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
	return new NodeOperationError(ctx.getNode(), error as Error, { itemIndex });
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
 * An "… in Parallel" option (`options.inFlight`): its field and its reader, from one name,
 * default and range. An expression can give anything; a value that is not a whole number in
 * range would send nothing or flood Tracx, so the reader stops the node naming the option.
 */
export function inFlightOption(spec: {
	displayName: string;
	default: number;
	max: number;
	description: string;
}): { property: INodeProperties; read: (ctx: IExecuteFunctions) => number } {
	const { displayName, default: fallback, max, description } = spec;
	return {
		property: {
			displayName,
			name: 'inFlight',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: max },
			default: fallback,
			description,
		},
		read(ctx) {
			const raw = ctx.getNodeParameter('options.inFlight', 0, fallback) as unknown;
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
 * Runs `work` for every input item, at most `inFlight` at a time, and returns the outputs
 * in item order. A failure stops the node (after the calls already under way), or with
 * Continue On Fail becomes an error item paired with that input item, so every item is
 * accounted for.
 */
export async function forEachItem(
	ctx: IExecuteFunctions,
	items: INodeExecutionData[],
	work: (itemIndex: number) => Promise<INodeExecutionData[]>,
	inFlight = 1,
): Promise<INodeExecutionData[]> {
	const results: INodeExecutionData[][] = new Array(items.length);
	let firstFailed = Infinity;
	let firstError: unknown;
	await inPool(items.length, inFlight, async (i) => {
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
	});
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
