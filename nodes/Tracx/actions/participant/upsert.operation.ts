import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { upsertParticipant } from '../../transport/api';
import { forEachItem, inFlightOption, optionsCollection, raceLocator } from '../common';
import { participantMapper, participantReader } from './input';

const showFor = { show: { resource: ['participant'], operation: ['upsert'] } };

export const DEFAULT_IN_FLIGHT = 10;

const inFlight = inFlightOption({
	displayName: 'Requests in Parallel',
	default: DEFAULT_IN_FLIGHT,
	max: 50,
	description:
		'How many participants are sent at the same time. 1 sends them one after the other, in item order.',
});

export const description: INodeProperties[] = [
	raceLocator({ displayOptions: showFor }),
	participantMapper(showFor),
	optionsCollection(showFor, [inFlight.property]),
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
	return await forEachItem(
		this,
		items,
		async (i) => {
			const participant = readParticipant(items[i], i);
			return [{ json: await upsertParticipant(this, participant, i), pairedItem: { item: i } }];
		},
		inFlight.read(this),
	);
}
