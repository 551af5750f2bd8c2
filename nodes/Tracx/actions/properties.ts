/** Parameter descriptions shared by the operations: the Event and Race pickers, Return All / Limit, the Options collection and its whole-number options, and the Operation selector. */
import { NodeOperationError, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

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
