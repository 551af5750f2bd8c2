import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { listRaces } from '../../transport/api';
import { eventLocator, returnAllAndLimit } from '../properties';
import { readId } from '../tracx-ids';
import { toItems } from '../output-items';
import { forEachItem } from '../parallel';
import { limitResults } from '../tool-mode';

const showFor = { show: { resource: ['race'], operation: ['getAll'] } };

export const description: INodeProperties[] = [
	eventLocator({
		required: false,
		description:
			"Only races of this event. Leave empty for every race the connect token may see. An event outside the token's scope gives no races.",
		displayOptions: showFor,
	}),
	...returnAllAndLimit(showFor),
];

/** GET /races (optionally ?event_id=), once per input item; one output item per race. */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await forEachItem(this, items, async (i) => {
		const races = await listRaces(this, readId(this, 'event', i, true), i);
		return toItems(limitResults(this, races, i), i);
	});
}
