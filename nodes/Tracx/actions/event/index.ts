import type { INodeProperties } from 'n8n-workflow';

import { operationSelector } from '../properties';
import { toolDescription } from '../tool-mode';
import * as getAll from './getAll.operation';

export { getAll };

export const description: INodeProperties[] = [
	operationSelector(
		'event',
		[
			{
				name: 'Get Many',
				value: 'getAll',
				action: 'Get many events',
				description: 'List the events the connect token may see',
			},
		],
		'getAll',
	),
	toolDescription(
		'event',
		'getAll',
		'Lists the running and cycling events in Tracx that this connection may see, each with its id, name, created_at and updated_at. Event IDs are whole numbers: give one to the race list to get the races of that event.',
	),
	...getAll.description,
];
