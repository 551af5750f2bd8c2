import { NodeHelpers, type INode, type INodeProperties } from 'n8n-workflow';

import { Tracx } from '../../nodes/Tracx/Tracx.node';
import { locator } from './support/fake-n8n';
import { PATH, runNode, sessionIssuer, tracx, useNock } from './support/tracx-mock';

/**
 * The node as an AI agent's tool (AI Agent, MCP Server Trigger): what n8n tells the agent
 * about each operation, and that the lists an agent gets are whole. The end-to-end suite
 * checks the same through a real MCP client.
 */

const nodeType = new Tracx();
const { description } = nodeType;

/** The tool node as n8n 1.x and 2.x store it when the tool description is left automatic. */
function toolNode(parameters: Record<string, unknown>): INode {
	return {
		id: 'tool-1',
		name: 'Tracx tool',
		type: 'n8n-nodes-tracx.tracxTool',
		typeVersion: 1,
		position: [0, 0],
		parameters: { descriptionType: 'auto', ...parameters },
	} as INode;
}

const toolDescription = (resource: string, operation: string) =>
	NodeHelpers.getToolDescriptionForNode(toolNode({ resource, operation }), nodeType);

/** Every operation with the action text the nodes panel lists it by. */
const actions = description.properties
	.filter((p) => p.name === 'operation')
	.flatMap((p) => (p.options ?? []) as Array<{ value: string; action?: string }>);

describe('what an agent is told about each operation', () => {
	it("builds n8n's automatic tool description from the action: Tracx's domain and the inputs", () => {
		expect(toolDescription('event', 'getAll')).toBe(
			'Get many race events (IDs are whole numbers) in Tracx',
		);
		expect(toolDescription('race', 'getAll')).toBe('Get many races of an event in Tracx');
		expect(toolDescription('participant', 'upsert')).toBe(
			'Create or update a participant by unique_id in Tracx',
		);
		expect(toolDescription('participant', 'upsertMany')).toBe(
			'Create or update many participants by unique_id in Tracx',
		);
	});

	it('keeps every action short: the nodes panel lists them and names new nodes after them', () => {
		expect(actions).toHaveLength(4);
		for (const { action } of actions) {
			expect(action).toMatch(/^(Get many|Create or update) /);
			expect(action!.length).toBeLessThanOrEqual(50);
		}
	});
});

describe('Return All and Limit in the tool variant', () => {
	const tool = { ...description, name: 'tracxTool' };
	const shown = (property: INodeProperties, values: Record<string, unknown>, asTool: boolean) =>
		NodeHelpers.displayParameter(
			{ returnAll: false, ...values },
			property,
			{ typeVersion: 1 },
			asTool ? tool : description,
		);

	it('are offered in the node and left out of the tool, for both lists', () => {
		for (const resource of ['event', 'race']) {
			const values = { resource, operation: 'getAll' };
			const fields = description.properties.filter(
				(p) =>
					['returnAll', 'limit'].includes(p.name) &&
					p.displayOptions?.show?.resource?.includes(resource),
			);
			expect(fields.map((p) => p.name)).toEqual(['returnAll', 'limit']);
			for (const field of fields) {
				expect(shown(field, values, false)).toBe(true);
				expect(shown(field, values, true)).toBe(false);
			}
		}
	});
});

describe('lists an agent gets', () => {
	useNock();
	beforeEach(() => sessionIssuer());

	const races = Array.from({ length: 60 }, (_, i) => ({ id: i + 1, event_id: 7, name: `R${i}` }));

	it.each(['n8n1', 'n8n2'] as const)(
		'are whole as a tool (%s), while the node itself keeps its Limit',
		async (asTool) => {
			tracx()
				.get(`${PATH}/races`)
				.query({ event_id: '7' })
				.times(2)
				.reply(200, { data: { items: races } });
			// The stored Return All / Limit of a node turned into a tool no longer apply.
			const parameters = {
				resource: 'race',
				operation: 'getAll',
				event: locator('7'),
				returnAll: false,
				limit: 50,
			};
			const asNode = await runNode({ parameters });
			expect(asNode[0]).toHaveLength(50);
			const asToolOutput = await runNode({ parameters, asTool });
			expect(asToolOutput[0].map((item) => item.json.id)).toEqual(races.map((race) => race.id));
		},
	);
});
