import {
	NodeConnectionTypes,
	NodeOperationError,
	type IDataObject,
	type INodeExecutionData,
	type INodeProperties,
	type INodeType,
	type INodeTypeDescription,
	type IPollFunctions,
} from 'n8n-workflow';

import { eventLocator } from '../Tracx/actions/properties';
import { parseTracxId } from '../Tracx/actions/tracx-ids';
import { optionSubtitle } from '../Tracx/actions/subtitle';
import { searchEvents } from '../Tracx/methods/listSearch';
import { listEvents, listRaces } from '../Tracx/transport/api';
import { startRun } from '../Tracx/transport/request';
import { comparePoll, mostRecent, readState } from './pollState';

/**
 * Tracx documents no webhooks, so this trigger polls GET /events or GET /races on the
 * schedule of its Poll Times and compares each answer with the previous one (pollState.ts).
 */

const TRIGGERS = {
	eventCreated: { resource: 'event', change: 'created' },
	eventUpdated: { resource: 'event', change: 'updated' },
	raceCreated: { resource: 'race', change: 'created' },
	raceUpdated: { resource: 'race', change: 'updated' },
} as const;

type TriggerOn = keyof typeof TRIGGERS;

/** The optional event filter of the race triggers, as a Tracx event ID. */
function eventFilter(ctx: IPollFunctions): number | undefined {
	try {
		return parseTracxId(ctx.getNodeParameter('event', '', { extractValue: true }), 'Event');
	} catch (error) {
		throw new NodeOperationError(ctx.getNode(), (error as Error).message);
	}
}

const triggerOnProperty: INodeProperties = {
	displayName: 'Trigger On',
	name: 'triggerOn',
	type: 'options',
	noDataExpression: true,
	options: [
		{
			name: 'Event Created',
			value: 'eventCreated',
			description: 'An event created since the trigger started appeared',
		},
		{
			name: 'Event Updated',
			value: 'eventUpdated',
			description:
				"An event's updated_at changed since the trigger last saw it (or, for an event it sees for the first time, differs from its created_at)",
		},
		{
			name: 'Race Created',
			value: 'raceCreated',
			description: 'A race created since the trigger started appeared',
		},
		{
			name: 'Race Updated',
			value: 'raceUpdated',
			description:
				"A race's updated_at changed since the trigger last saw it (or, for a race it sees for the first time, differs from its created_at)",
		},
	],
	default: 'raceCreated',
};

export class TracxTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Tracx Trigger',
		name: 'tracxTrigger',
		icon: { light: 'file:../../icons/tracx.svg', dark: 'file:../../icons/tracx.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: optionSubtitle(triggerOnProperty),
		description: 'Starts the workflow when Tracx events or races are created or updated',
		defaults: { name: 'Tracx Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'tracxConnectApi', required: true }],
		properties: [
			triggerOnProperty,
			eventLocator({
				required: false,
				description:
					'Only races of this event. Leave empty for every race the connect token may see.',
				displayOptions: { show: { triggerOn: ['raceCreated', 'raceUpdated'] } },
			}),
			{
				displayName:
					'Checks Tracx at each poll time. The first poll after activation only takes note of what exists; later polls output one item per new or changed record.',
				name: 'pollNotice',
				type: 'notice',
				default: '',
			},
		],
	};

	methods = {
		listSearch: { searchEvents },
	};

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const triggerOn = this.getNodeParameter('triggerOn') as TriggerOn;
		const trigger = TRIGGERS[triggerOn];
		if (!trigger) {
			throw new NodeOperationError(this.getNode(), `Unknown "Trigger On" value: ${triggerOn}`);
		}
		const eventId = trigger.resource === 'race' ? eventFilter(this) : undefined;
		// n8n polls with one context for the life of an activation: each poll reads the
		// credential afresh (an edited Base URL, a read that failed last time)
		startRun(this);
		// taken before the request: a record created after this moment is new to a baseline
		const polledAt = Date.now();
		const records: IDataObject[] =
			trigger.resource === 'event' ? await listEvents(this) : await listRaces(this, eventId);
		const field = trigger.change === 'created' ? 'created_at' : 'updated_at';

		if (this.getMode() === 'manual') {
			// A test run shows a real record to map fields from, and leaves the state alone:
			// the next scheduled poll still compares with what the last scheduled poll saw.
			const sample = mostRecent(records, field);
			if (!sample) {
				throw new NodeOperationError(
					this.getNode(),
					`Tracx has no ${trigger.resource}s this connect token may see, so there is no sample to show`,
					{ description: 'Create one in Tracx, or choose another event, then fetch again.' },
				);
			}
			return [[{ json: sample }]];
		}

		// Only reached after Tracx answered: a failed call throws above and the saved state
		// stays as it was, so the next poll compares with the last good answer.
		const staticData = this.getWorkflowStaticData('node');
		const scope = eventId === undefined ? trigger.resource : `${trigger.resource}:${eventId}`;
		const result = comparePoll(readState(staticData), scope, records, polledAt);
		staticData.state = result.next as unknown as IDataObject;
		const changed = trigger.change === 'created' ? result.created : result.updated;
		return changed.length > 0 ? [changed.map((json) => ({ json }))] : null;
	}
}
