import type { INodeProperties } from 'n8n-workflow';

import { operationSelector } from '../properties';
import { toolDescription } from '../tool-mode';
import * as getAll from './getAll.operation';

export { getAll };

export const description: INodeProperties[] = [
	operationSelector(
		'race',
		[
			{
				name: 'Get Many',
				value: 'getAll',
				action: 'Get many races',
				description: 'List races, optionally of one event',
			},
		],
		'getAll',
	),
	toolDescription(
		'race',
		'getAll',
		'Lists the races (distances or categories, such as 10 km) of a Tracx event, each with its id, event_id and name. Event and race IDs are whole numbers. A participant is saved into a race by its race ID.',
	),
	...getAll.description,
];
