import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { upsertParticipant } from '../../transport/api';
import { forEachItem, raceLocator, readInFlight } from '../common';
import { participantMapper, participantReader } from './input';

const showFor = { show: { resource: ['participant'], operation: ['upsert'] } };

export const DEFAULT_IN_FLIGHT = 10;
const MAX_IN_FLIGHT = 50;

export const description: INodeProperties[] = [
	raceLocator({ displayOptions: showFor }),
	participantMapper(showFor),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: showFor,
		options: [
			{
				displayName: 'Requests in Parallel',
				name: 'inFlight',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: MAX_IN_FLIGHT },
				default: DEFAULT_IN_FLIGHT,
				description:
					'How many participants are sent at the same time. 1 sends them one after the other, in item order.',
			},
		],
	},
];

/**
 * POST /participant, one request per input item, several at a time (each waits for the
 * network far longer than for anything else); outputs the stored participants in item order.
 */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	const readParticipant = participantReader(this);
	const inFlight = readInFlight(this, 'Requests in Parallel', DEFAULT_IN_FLIGHT, MAX_IN_FLIGHT);
	return await forEachItem(
		this,
		items,
		async (i) => {
			const participant = readParticipant(items[i], i);
			return [{ json: await upsertParticipant(this, participant, i), pairedItem: { item: i } }];
		},
		inFlight,
	);
}
