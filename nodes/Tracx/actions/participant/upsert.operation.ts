import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { upsertParticipant } from '../../transport/api';
import { forEachItem, raceLocator } from '../common';
import { participantMapper, participantReader } from './input';

const showFor = { show: { resource: ['participant'], operation: ['upsert'] } };

export const description: INodeProperties[] = [
	raceLocator({ displayOptions: showFor }),
	participantMapper(showFor),
];

/** POST /participant, one request per input item; outputs the stored participant. */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	const readParticipant = participantReader(this);
	return await forEachItem(this, items, async (i) => {
		const participant = readParticipant(items[i], i);
		return [{ json: await upsertParticipant(this, participant, i), pairedItem: { item: i } }];
	});
}
