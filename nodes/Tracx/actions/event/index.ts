import type { INodeProperties } from 'n8n-workflow';

import { operationSelector } from '../properties';
import * as getAll from './getAll.operation';

export { getAll };

export const description: INodeProperties[] = [
	operationSelector(
		'event',
		[
			{
				name: 'Get Many',
				value: 'getAll',
				action: 'Get many race events (IDs are whole numbers)',
				description: 'List the events the connect token may see',
			},
		],
		'getAll',
	),
	...getAll.description,
];
