import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import * as event from './actions/event';
import * as participant from './actions/participant';
import * as race from './actions/race';
import { router } from './actions/router';
import { actionSubtitle } from './actions/subtitle';
import { searchEvents, searchRaces } from './methods/listSearch';
import { getParticipantFields } from './methods/resourceMapping';

const properties: INodeProperties[] = [
	{
		displayName: 'Resource',
		name: 'resource',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Event', value: 'event' },
			{ name: 'Participant', value: 'participant' },
			{ name: 'Race', value: 'race' },
		],
		default: 'participant',
	},
	...event.description,
	...race.description,
	...participant.description,
];

export class Tracx implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Tracx',
		name: 'tracx',
		icon: { light: 'file:../../icons/tracx.svg', dark: 'file:../../icons/tracx.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: actionSubtitle(properties),
		description: 'Read Tracx events and races and push participants (start lists) to Tracx',
		defaults: { name: 'Tracx' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'tracxConnectApi', required: true }],
		properties,
	};

	methods = {
		listSearch: { searchEvents, searchRaces },
		resourceMapping: { getParticipantFields },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
