/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test reads the shipped examples */
import fs from 'fs';
import path from 'path';
import type { ILoadOptionsFunctions, ResourceMapperValue } from 'n8n-workflow';

import { getParticipantFields } from '../../nodes/Tracx/methods/resourceMapping';
import { openedInEditor } from './support/editor-mapper';

/**
 * The example workflows are shipped as n8n's editor saves them: opening a Tracx node of an
 * imported example changes nothing, so n8n does not say "Node parameters have changed"
 * before the user edited anything.
 */

const examplesDir = path.resolve(__dirname, '../../examples');
const examples = fs
	.readdirSync(examplesDir)
	.filter((file) => file.endsWith('.json'))
	.map((file) => ({
		file,
		workflow: JSON.parse(fs.readFileSync(path.join(examplesDir, file), 'utf8')) as {
			nodes: Array<{ name: string; type: string; parameters: Record<string, unknown> }>;
		},
	}));

const mappers = examples.flatMap(({ file, workflow }) =>
	workflow.nodes
		.filter((node) => node.type.startsWith('n8n-nodes-tracx.') && node.parameters.participant)
		.map((node) => ({
			where: `${file}: ${node.name}`,
			mapper: node.parameters.participant as ResourceMapperValue,
		})),
);

describe('the example workflows', () => {
	it('have participant mappers to check', () => {
		expect(mappers.length).toBeGreaterThanOrEqual(5);
	});

	it.each(mappers.map(({ where, mapper }) => [where, mapper] as const))(
		'%s: the mapper is stored as the editor leaves it when the node is opened',
		async (_where, mapper) => {
			const { fields } = await getParticipantFields.call({} as ILoadOptionsFunctions);
			expect(mapper.schema.length).toBeGreaterThan(0);
			expect(mapper).toEqual(openedInEditor(mapper, fields));
			// what the editor would have fetched, with the flags it sets
			expect(
				mapper.schema.map((field) =>
					Object.fromEntries(Object.entries(field).filter(([key]) => key !== 'removed')),
				),
			).toEqual(fields);
		},
	);
});
