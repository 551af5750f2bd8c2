import {
	NodeHelpers,
	type INode,
	type INodeParameters,
	type INodeProperties,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

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

/**
 * The tool variant as n8n 1.x and 2.x derive it from a `usableAsTool` node
 * (LoadNodesAndCredentials.convertNodeToAiTool): the type name gets "Tool", and n8n adds
 * its own Tool Description choice (Set Automatically / Set Manually) only to a node that
 * declares no `toolDescription` parameter.
 */
function toolVariant(): INodeTypeDescription {
	const tool = { ...description, name: 'tracxTool', properties: [...description.properties] };
	if (!tool.properties.some((p) => p.name === 'toolDescription')) {
		tool.properties.unshift(
			{
				displayName: 'Tool Description',
				name: 'descriptionType',
				type: 'options',
				default: 'auto',
			},
			{ displayName: 'Description', name: 'toolDescription', type: 'string', default: '' },
		);
	}
	return tool as INodeTypeDescription;
}

/**
 * What an agent is told about a tool node whose stored parameters are `stored`: n8n fills
 * in the defaults of the parameters shown (the Workflow constructor) and then builds the
 * description (create-node-as-tool: NodeHelpers.getToolDescriptionForNode).
 */
function toolDescription(stored: INodeParameters): string {
	const type = toolVariant();
	const node = {
		id: 'tool-1',
		name: 'Tracx tool',
		type: 'n8n-nodes-tracx.tracxTool',
		typeVersion: 1,
		position: [0, 0],
		parameters: stored,
	} as INode;
	node.parameters = NodeHelpers.getNodeParameters(
		type.properties,
		stored,
		true,
		false,
		node,
		type,
	)!;
	return NodeHelpers.getToolDescriptionForNode(node, { description: type } as INodeType);
}

/** Every operation with the action text the nodes panel lists it by. */
const actions = description.properties
	.filter((p) => p.name === 'operation')
	.flatMap((p) => (p.options ?? []) as Array<{ value: string; action?: string }>);

describe('what a new node is named', () => {
	it("is the action, short as n8n's own nodes write it, on the canvas and in the panel", () => {
		const named = (resource: string, operation: string) =>
			NodeHelpers.makeNodeName({ resource, operation }, description);
		expect(named('event', 'getAll')).toBe('Get many events');
		expect(named('race', 'getAll')).toBe('Get many races');
		expect(named('participant', 'upsert')).toBe('Create or update a participant');
		expect(named('participant', 'upsertMany')).toBe('Create or update many participants');
		expect(actions).toHaveLength(4);
		for (const { action } of actions) expect(action).not.toMatch(/[()_]/);
	});
});

describe('what an agent is told about each operation', () => {
	it('is the Tool Description, which holds the facts an agent needs', () => {
		const events = toolDescription({ resource: 'event', operation: 'getAll' });
		expect(events).toMatch(/^Lists the running and cycling events in Tracx/);
		expect(events).toContain('Event IDs are whole numbers');

		const races = toolDescription({ resource: 'race', operation: 'getAll' });
		expect(races).toMatch(/^Lists the races .* of a Tracx event/);
		expect(races).toContain('race ID');
		expect(races).toContain('whole numbers');

		const one = toolDescription({ resource: 'participant', operation: 'upsert' });
		expect(one).toContain('Participants are matched by unique_id');
		expect(one).toContain('the same unique_id updates the participant saved before');
		expect(one).toContain('race ID, a whole number');

		const many = toolDescription({ resource: 'participant', operation: 'upsertMany' });
		expect(many).toMatch(/^Queues many participants/);
		expect(many).toContain('matched by unique_id');
	});

	it("is not n8n's automatic text, which only repeats the action", () => {
		for (const { value } of actions) {
			const resource = value === 'getAll' ? ['event', 'race'] : ['participant'];
			for (const r of resource) {
				const told = toolDescription({ resource: r, operation: value });
				expect(told).not.toMatch(/ in Tracx$/);
				expect(told.length).toBeGreaterThan(120);
			}
		}
	});

	it('is the same for a tool saved while n8n chose the description automatically', () => {
		expect(
			toolDescription({ resource: 'event', operation: 'getAll', descriptionType: 'auto' }),
		).toBe(toolDescription({ resource: 'event', operation: 'getAll' }));
	});

	it("is the user's own text when they wrote one", () => {
		expect(
			toolDescription({
				resource: 'race',
				operation: 'getAll',
				toolDescription: 'Races of the Amsterdam City Run only',
			}),
		).toBe('Races of the Amsterdam City Run only');
	});

	it('is offered in the tool variant only, one for each operation', () => {
		const fields = description.properties.filter((p) => p.name === 'toolDescription');
		expect(fields).toHaveLength(4);
		const shown = (values: INodeParameters, type: INodeTypeDescription) =>
			fields.filter((field) =>
				NodeHelpers.displayParameter(values, field, { typeVersion: 1 }, type),
			);
		for (const values of [
			{ resource: 'event', operation: 'getAll' },
			{ resource: 'participant', operation: 'upsertMany' },
		]) {
			expect(shown(values, description)).toHaveLength(0);
			expect(shown(values, toolVariant())).toHaveLength(1);
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
