import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { queueParticipants } from '../../transport/api';
import { asNodeError, errorItem, eventLocator, raceLocator, readId } from '../common';
import { participantMapper, participantReader } from './input';

export const DEFAULT_BATCH_SIZE = 1000;

const showFor = { show: { resource: ['participant'], operation: ['upsertMany'] } };

export const description: INodeProperties[] = [
	eventLocator({
		required: true,
		description:
			'The event the participants belong to. With an expression, items are grouped per event.',
		displayOptions: showFor,
	}),
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
				displayName: 'Batch Size',
				name: 'batchSize',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 10000 },
				default: DEFAULT_BATCH_SIZE,
				description: 'How many participants are sent in one request',
			},
		],
	},
];

interface Entry {
	itemIndex: number;
	participant: IDataObject;
}

interface Batch {
	eventId: number;
	number: number;
	count: number;
	entries: Entry[];
}

/** Groups valid entries per event (in order of first appearance) and cuts each group into batches. */
function planBatches(byEvent: Map<number, Entry[]>, batchSize: number): Batch[] {
	const batches: Batch[] = [];
	for (const [eventId, entries] of byEvent) {
		const count = Math.ceil(entries.length / batchSize);
		for (let n = 0; n < count; n++) {
			batches.push({
				eventId,
				number: n + 1,
				count,
				entries: entries.slice(n * batchSize, (n + 1) * batchSize),
			});
		}
	}
	return batches;
}

function describeKeyIn(batch: Batch) {
	return (key: string): string => {
		const match = /^(\d+)\.(.+)$/.exec(key);
		const entry = match ? batch.entries[Number(match[1])] : undefined;
		if (!match || !entry) return key;
		return `item ${entry.itemIndex} (unique_id ${String(entry.participant.unique_id)}) ${match[2]}`;
	};
}

function summary(batch: Batch, response: IDataObject): IDataObject {
	return {
		status: 'queued',
		event_id: batch.eventId,
		batch: batch.number,
		batch_count: batch.count,
		participant_count: batch.entries.length,
		unique_ids: batch.entries.map((e) => e.participant.unique_id as string),
		response,
	};
}

/**
 * POST /events/{event_id}/participants in batches. Every item is validated first; with
 * Continue On Fail the invalid ones become error items and the rest is still sent.
 * One output item per batch, paired with every input item in it.
 */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	const output: INodeExecutionData[] = [];
	const readParticipant = participantReader(this);
	const byEvent = new Map<number, Entry[]>();
	for (let i = 0; i < items.length; i++) {
		try {
			const eventId = readId(this, 'event', i) as number;
			const participant = readParticipant(items[i], i);
			const group = byEvent.get(eventId) ?? [];
			group.push({ itemIndex: i, participant });
			byEvent.set(eventId, group);
		} catch (error) {
			if (!this.continueOnFail()) throw asNodeError(this, error, i);
			output.push(errorItem(error, [i]));
		}
	}

	const batchSize =
		(this.getNodeParameter('options.batchSize', 0, DEFAULT_BATCH_SIZE) as number) ||
		DEFAULT_BATCH_SIZE;
	const queued: Batch[] = [];
	for (const batch of planBatches(byEvent, batchSize)) {
		const itemIndexes = batch.entries.map((e) => e.itemIndex);
		try {
			const response = await queueParticipants(
				this,
				batch.eventId,
				batch.entries.map((e) => e.participant),
				itemIndexes[0],
				describeKeyIn(batch),
			);
			output.push({
				json: summary(batch, response),
				pairedItem: itemIndexes.map((item) => ({ item })),
			});
			queued.push(batch);
		} catch (error) {
			const where = { event_id: batch.eventId, batch: batch.number, batch_count: batch.count };
			if (this.continueOnFail()) {
				output.push(
					errorItem(error, itemIndexes, {
						...where,
						unique_ids: batch.entries.map((e) => e.participant.unique_id as string),
					}),
				);
				continue;
			}
			const failure = asNodeError(this, error, itemIndexes[0]);
			failure.description = [failure.description, progressNote(queued, batch)]
				.filter(Boolean)
				.join('\n');
			throw failure;
		}
	}
	return output;
}

/** Tells the user what reached Tracx before a failure, so a re-run is an informed choice. */
function progressNote(queued: Batch[], failed: Batch): string {
	const done = queued.map(
		(b) => `event ${b.eventId} batch ${b.number}/${b.count} (${b.entries.length})`,
	);
	return (
		`Failed at event ${failed.eventId} batch ${failed.number}/${failed.count}. ` +
		(done.length > 0 ? `Queued before the failure: ${done.join(', ')}. ` : 'Nothing was queued. ') +
		'Running the workflow again is safe: Tracx updates participants by unique_id.'
	);
}
