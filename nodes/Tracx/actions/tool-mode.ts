/** What changes when the node runs as an AI agent's tool (AI Agent, MCP Server Trigger). */
import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

/**
 * Whether the node runs as an AI agent's tool (AI Agent, MCP Server Trigger). n8n 2.x says
 * so; n8n 1.x runs the tool variant under the node's type name with "Tool" appended.
 */
export function runsAsTool(ctx: IExecuteFunctions): boolean {
	const isToolExecution = (ctx as Partial<Pick<IExecuteFunctions, 'isToolExecution'>>)
		.isToolExecution;
	if (typeof isToolExecution === 'function' && isToolExecution.call(ctx)) return true;
	return ctx.getNode().type.endsWith('Tool');
}

/**
 * Applies Return All / Limit to a list the API returns whole (it documents no paging). An
 * agent gets the whole list: it cannot tell a cut list from a complete one and would
 * answer "there is no such race" about one it was never shown.
 */
export function limitResults<T>(ctx: IExecuteFunctions, list: T[], itemIndex: number): T[] {
	if (runsAsTool(ctx)) return list;
	if (ctx.getNodeParameter('returnAll', itemIndex, false) as boolean) return list;
	const limit = ctx.getNodeParameter('limit', itemIndex, 50) as number;
	return list.slice(0, limit);
}

/**
 * What an agent is told one operation does. n8n builds a tool's description from its
 * `toolDescription` parameter, and gives a node that declares none its own "Set
 * Automatically" text: the operation's action plus " in Tracx" — and the action is also
 * the name of every new node, on the canvas and in the panel, so it stays as short as
 * n8n's own ("Get many events"). The facts an agent needs (what the records are, how IDs
 * look, how participants are matched) go here instead, as the default of an editable
 * Tool Description that only the tool variant shows.
 */
export function toolDescription(
	resource: string,
	operation: string,
	text: string,
): INodeProperties {
	return {
		displayName: 'Tool Description',
		name: 'toolDescription',
		type: 'string',
		typeOptions: { rows: 4 },
		default: text,
		required: true,
		description:
			'What the AI agent is told this tool does. Say more here, e.g. which event the agent works on.',
		displayOptions: { show: { '@tool': [true], resource: [resource], operation: [operation] } },
	};
}
