import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { listEvents } from '../../transport/api';
import { returnAllAndLimit } from '../properties';
import { toItems } from '../output-items';
import { forEachItem } from '../parallel';
import { limitResults } from '../tool-mode';

const showFor = { show: { resource: ['event'], operation: ['getAll'] } };

export const description: INodeProperties[] = [...returnAllAndLimit(showFor)];

/** GET /events, once per input item; one output item per event. */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await forEachItem(this, items, async (i) =>
		toItems(limitResults(this, await listEvents(this, i), i), i),
	);
}
