import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { cancelSignalOf } from '../../shared/cancel';
import { queueParticipants } from '../../transport/api';
import { STOPPED_MESSAGE, stopPointOf } from '../../transport/errors';
import {
	eventLocator,
	raceLocator,
	inFlightOption,
	optionsCollection,
	wholeNumberOption,
} from '../properties';
import { idReader } from '../tracx-ids';
import { asNodeError, errorItem } from '../output-items';
import { inPool } from '../parallel';
import { participantFormats, participantMapper, participantReader } from './input';

export const DEFAULT_BATCH_SIZE = 1000;
export const DEFAULT_BATCHES_IN_FLIGHT = 4;

const showFor = { show: { resource: ['participant'], operation: ['upsertMany'] } };

const batchSize = wholeNumberOption({
	displayName: 'Batch Size',
	name: 'batchSize',
	default: DEFAULT_BATCH_SIZE,
	max: 10000,
	description: 'How many participants are sent in one request',
});

const batchesInFlight = inFlightOption({
	displayName: 'Batches in Parallel',
	default: DEFAULT_BATCHES_IN_FLIGHT,
	max: 10,
	description:
		'How many batches are sent at the same time. When a unique_id appears more than once for an event, the batches go one after the other, so that its last record is queued last.',
});

export const description: INodeProperties[] = [
	eventLocator({
		required: true,
		description:
			'The event the participants belong to. With an expression, items are grouped per event.',
		displayOptions: showFor,
	}),
	raceLocator({ displayOptions: showFor }),
	participantMapper(showFor),
	participantFormats(showFor),
	optionsCollection(showFor, [
		batchSize.property,
		batchesInFlight.property,
		{
			displayName: 'Validate Only',
			name: 'validateOnly',
			type: 'boolean',
			default: false,
			description:
				'Whether to only check the items: nothing is sent to Tracx and no session token is requested. Outputs each valid participant as it would be sent, and an error item for each invalid one.',
		},
	]),
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

const uniqueIds = (batch: Batch) => batch.entries.map((e) => e.participant.unique_id as string);

function summary(batch: Batch, response: IDataObject): IDataObject {
	return {
		status: 'queued',
		event_id: batch.eventId,
		batch: batch.number,
		batch_count: batch.count,
		participant_count: batch.entries.length,
		unique_ids: uniqueIds(batch),
		response,
	};
}

/**
 * POST /events/{event_id}/participants in batches, a few at a time. Every item is validated
 * first; with Continue On Fail the invalid ones become error items and the rest is still
 * sent. One output item per batch, in batch order, paired with every input item in it.
 * With Validate Only nothing is sent: one error item per invalid participant, then one item
 * per valid one in sending order; the same order as a real run with Continue On Fail (error
 * items, then the batches), so the rows to fix lead.
 */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	const validateOnly = this.getNodeParameter('options.validateOnly', 0, false) === true;
	const invalid: INodeExecutionData[] = [];
	const readEvent = idReader(this, 'event');
	const readParticipant = participantReader(this);
	const byEvent = new Map<number, Entry[]>();
	for (let i = 0; i < items.length; i++) {
		try {
			const eventId = readEvent(items[i], i);
			const participant = readParticipant(items[i], i);
			const group = byEvent.get(eventId) ?? [];
			group.push({ itemIndex: i, participant });
			byEvent.set(eventId, group);
		} catch (error) {
			// Finding every invalid row is what Validate Only is for: it never stops at one
			if (!validateOnly && !this.continueOnFail()) throw asNodeError(this, error, i);
			invalid.push(errorItem(error, [i]));
		}
	}

	const inFlight = batchesInFlight.read(this);
	const batches = planBatches(byEvent, batchSize.read(this));
	if (validateOnly) return [...invalid, ...asWouldBeSent(batches)];
	const outcomes: INodeExecutionData[] = new Array(batches.length);
	const states: BatchState[] = new Array(batches.length).fill('not sent');
	const errors: unknown[] = new Array(batches.length);
	const signal = cancelSignalOf(this);
	await inPool(
		batches.length,
		repeatsUniqueId(byEvent) ? 1 : inFlight,
		async (b) => {
			const batch = batches[b];
			const itemIndexes = batch.entries.map((e) => e.itemIndex);
			try {
				const response = await queueParticipants(
					this,
					batch.eventId,
					batch.entries.map((e) => e.participant),
					itemIndexes[0],
					describeKeyIn(batch),
				);
				outcomes[b] = {
					json: summary(batch, response),
					pairedItem: itemIndexes.map((item) => ({ item })),
				};
				states[b] = 'queued';
				return true;
			} catch (error) {
				const stopPoint = stopPointOf(error);
				if (stopPoint !== undefined) {
					if (stopPoint !== 'not sent') states[b] = 'cut off';
					return false;
				}
				if (this.continueOnFail()) {
					outcomes[b] = errorItem(error, itemIndexes, {
						event_id: batch.eventId,
						batch: batch.number,
						batch_count: batch.count,
						unique_ids: uniqueIds(batch),
					});
					return true;
				}
				states[b] = 'failed';
				errors[b] = error;
				return false;
			}
		},
		signal,
	);
	if (signal?.aborted) {
		throw new NodeOperationError(this.getNode(), STOPPED_MESSAGE, {
			description: progressNote(batches, states),
		});
	}
	const firstFailed = states.indexOf('failed');
	if (firstFailed >= 0) {
		const batch = batches[firstFailed];
		const failure = asNodeError(this, errors[firstFailed], batch.entries[0].itemIndex);
		failure.description = [failure.description, progressNote(batches, states, firstFailed)]
			.filter(Boolean)
			.join('\n');
		throw failure;
	}
	return [...invalid, ...outcomes];
}

/** Validate Only's output: each valid participant as it would be sent, in sending order. */
function asWouldBeSent(batches: Batch[]): INodeExecutionData[] {
	return batches.flatMap((batch) =>
		batch.entries.map((entry) => ({
			json: entry.participant,
			pairedItem: { item: entry.itemIndex },
		})),
	);
}

/**
 * Whether some event gets the same participant twice. Tracx applies queued imports in the
 * order they arrive, so those batches must not overtake one another.
 */
function repeatsUniqueId(byEvent: Map<number, Entry[]>): boolean {
	for (const entries of byEvent.values()) {
		const ids = new Set(entries.map((e) => e.participant.unique_id));
		if (ids.size < entries.length) return true;
	}
	return false;
}

type BatchState = 'queued' | 'failed' | 'cut off' | 'not sent';

/**
 * Tells the user what reached Tracx before the node stopped (at a failure, or because the
 * execution was stopped when there is no `failedIndex`), so a re-run is an informed choice.
 */
function progressNote(batches: Batch[], states: BatchState[], failedIndex?: number): string {
	const label = (b: Batch) => `event ${b.eventId} batch ${b.number}/${b.count}`;
	const where = (state: BatchState) =>
		batches.filter((_b, i) => states[i] === state && i !== failedIndex);
	const queued = where('queued').map((b) => `${label(b)} (${b.entries.length})`);
	const alsoFailed = where('failed').map(label);
	const cutOff = where('cut off').map(label);
	const unsent = where('not sent').length;
	return [
		failedIndex === undefined
			? 'Stopped before every batch was sent.'
			: `Failed at ${label(batches[failedIndex])}.`,
		alsoFailed.length > 0 ? `Also failed: ${alsoFailed.join(', ')}.` : '',
		queued.length > 0 ? `Queued: ${queued.join(', ')}.` : 'Nothing was queued.',
		cutOff.length > 0 ? `Cut off: ${cutOff.join(', ')}; Tracx may still have queued them.` : '',
		unsent > 0 ? `Not sent: ${unsent} more batch${unsent === 1 ? '' : 'es'}.` : '',
		'Running the workflow again is safe: Tracx updates participants by unique_id.',
	]
		.filter(Boolean)
		.join(' ');
}
