import {
	Workflow,
	type IDataObject,
	type IExecuteFunctions,
	type INode,
	type INodeExecutionData,
	type INodeParameters,
	type INodeTypes,
} from 'n8n-workflow';

import { Tracx } from '../../../nodes/Tracx/Tracx.node';
import { NODE } from './fake-n8n';

/**
 * An execution context whose getNodeParameter does what n8n's does (packages/core,
 * NodeExecutionContext._getNodeParameter): the stored value by path, raw on request,
 * otherwise evaluated by n8n-workflow's own expression engine for that item, and a
 * resource locator's value extracted when asked. It counts the evaluations of values that
 * hold an expression, so tests can see which reads n8n had to evaluate.
 */
export function realParameterContext(
	parameters: INodeParameters,
	inputs: IDataObject[],
	{
		continueOnFail = false,
		asTool,
		toolArguments,
	}: {
		continueOnFail?: boolean;
		/**
		 * Run as an AI tool, as n8n-core's SupplyDataContext does: getInputData() gives the
		 * tool call's arguments, while expressions still evaluate against `inputs` (the item
		 * of the node that called the tool). 2.x says so with isToolExecution(); 1.x runs the
		 * tool variant, whose type name ends in "Tool".
		 */
		asTool?: 'n8n1' | 'n8n2';
		toolArguments?: IDataObject[];
	} = {},
): { ctx: IExecuteFunctions; evaluations: () => number } {
	const nodeType = new Tracx();
	const nodeTypes: INodeTypes = {
		getByName: () => nodeType,
		getByNameAndVersion: () => nodeType,
		getKnownTypes: () => ({}),
	};
	const stored: INode = {
		...NODE,
		...(asTool === 'n8n1' && { type: `${NODE.type}Tool` }),
		parameters,
	};
	const workflow = new Workflow({
		id: 'mapping',
		name: 'mapping',
		nodes: [stored],
		connections: {},
		active: false,
		nodeTypes,
	});
	// the Workflow fills in defaults, as n8n does for a stored workflow
	const node = workflow.getNode('Tracx') as INode;
	const items: INodeExecutionData[] = inputs.map((json) => ({ json }));
	const inputData = asTool ? (toolArguments ?? []).map((json) => ({ json })) : items;
	let evaluations = 0;
	const ctx = {
		getNode: () => node,
		...(asTool === 'n8n2' && { isToolExecution: () => true }),
		getInputData: () => inputData,
		continueOnFail: () => continueOnFail,
		getNodeParameter(
			name: string,
			itemIndex: number,
			fallback?: unknown,
			options?: { rawExpressions?: boolean; extractValue?: boolean },
		) {
			const value = valueAt(node.parameters, name, fallback);
			if (value === undefined) throw new Error(`Could not get parameter "${name}"`);
			if (options?.rawExpressions) return value;
			if (JSON.stringify(value)?.includes('"=')) evaluations++;
			const result = workflow.expression.getParameterValue(
				value as INodeParameters,
				null,
				0,
				itemIndex,
				node.name,
				items,
				'manual',
				{},
			);
			if (options?.extractValue && isLocator(result)) return result.value;
			return result;
		},
	};
	return { ctx: ctx as unknown as IExecuteFunctions, evaluations: () => evaluations };
}

function valueAt(parameters: INodeParameters, path: string, fallback: unknown): unknown {
	let value: unknown = parameters;
	for (const key of path.split('.')) {
		if (value === null || typeof value !== 'object') return fallback;
		value = (value as IDataObject)[key];
	}
	return value === undefined ? fallback : value;
}

function isLocator(value: unknown): value is { value: unknown } {
	return value !== null && typeof value === 'object' && '__rl' in value;
}
