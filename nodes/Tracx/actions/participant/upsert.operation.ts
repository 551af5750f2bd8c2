import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { upsertParticipant } from '../../transport/api';
import { inFlightOption, optionsCollection, raceLocator } from '../properties';
import { asNodeError } from '../output-items';
import { forEachItem } from '../parallel';
import { participantFormats, participantMapper, participantReader } from './input';

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
	participantFormats(showFor),
	optionsCollection(showFor, [inFlight.property]),
];

/**
 * POST /participant, one request per input item, several at a time (each waits for the
 * network far longer than for anything else); outputs the stored participants in item order.
 * Every item is checked before anything is sent, so that without Continue On Fail an invalid
 * item stops the node with nothing stored. Requests for the same unique_id go one after the
 * other, in item order: in parallel the older record could arrive last and be the one kept.
 */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	const readParticipant = participantReader(this);
	const requestsInParallel = inFlight.read(this);
	const checked = items.map((item, i) => {
		try {
			return { participant: readParticipant(item, i) };
		} catch (error) {
			if (!this.continueOnFail()) throw asNodeError(this, error, i);
			return { error };
		}
	});
	return await forEachItem(
		this,
		items,
		async (i) => {
			const { participant, error } = checked[i];
			if (!participant) throw error;
			return [{ json: await upsertParticipant(this, participant, i), pairedItem: { item: i } }];
		},
		requestsInParallel,
		(i) => checked[i].participant?.unique_id as string | undefined,
	);
}
