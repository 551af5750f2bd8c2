import type { INodeProperties } from 'n8n-workflow';

import { operationSelector } from '../properties';
import * as getAll from './getAll.operation';

export { getAll };

export const description: INodeProperties[] = [
	operationSelector(
		'race',
		[
			{
				name: 'Get Many',
				value: 'getAll',
				action: 'Get many races of an event',
				description: 'List races, optionally of one event',
			},
		],
		'getAll',
	),
	...getAll.description,
];
