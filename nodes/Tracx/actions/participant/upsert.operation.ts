import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { upsertParticipant } from '../../transport/api';
import { asNodeError, errorItem, raceLocator } from '../common';
import { participantMapper, readParticipant } from './input';

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
	const output: INodeExecutionData[] = [];
	for (let i = 0; i < items.length; i++) {
		try {
			const participant = readParticipant(this, items[i], i);
			output.push({ json: await upsertParticipant(this, participant, i), pairedItem: { item: i } });
		} catch (error) {
			if (!this.continueOnFail()) throw asNodeError(this, error, i);
			output.push(errorItem(error, [i]));
		}
	}
	return output;
}
