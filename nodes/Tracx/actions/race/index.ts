import type { INodeProperties } from 'n8n-workflow';

import * as getAll from './getAll.operation';

export { getAll };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['race'] } },
		options: [
			{
				name: 'Get Many',
				value: 'getAll',
				action: 'Get many races',
				description: 'List races, optionally of one event',
			},
		],
		default: 'getAll',
	},
	...getAll.description,
];
