/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test reads the repository and runs npm */
import fs from 'fs';
import path from 'path';
import type { INodeProperties } from 'n8n-workflow';

import { Tracx } from '../../nodes/Tracx/Tracx.node';
import { evaluateSubtitle } from './support/subtitle';

const description = new Tracx().description;
const root = path.resolve(__dirname, '../..');

function optionValues(name: string, resource?: string): unknown[] {
	const property = description.properties.find(
		(p: INodeProperties) =>
			p.name === name &&
			(resource === undefined || p.displayOptions?.show?.resource?.includes(resource)),
	);
	return (property?.options ?? []).map((o) => (o as { value: unknown }).value);
}

describe('node description (stored in workflows: keep stable)', () => {
	it('has the public names', () => {
		expect(description).toMatchObject({
			name: 'tracx',
			displayName: 'Tracx',
			version: 1,
			usableAsTool: true,
		});
		expect(description.credentials).toEqual([{ name: 'tracxConnectApi', required: true }]);
		expect(optionValues('resource')).toEqual(['event', 'participant', 'race']);
		expect(optionValues('operation', 'event')).toEqual(['getAll']);
		expect(optionValues('operation', 'race')).toEqual(['getAll']);
		expect(optionValues('operation', 'participant')).toEqual(['upsert', 'upsertMany']);
	});

	it('labels the participant operations as the issue names them', () => {
		const participantOps = description.properties.find(
			(p) => p.name === 'operation' && p.displayOptions?.show?.resource?.includes('participant'),
		);
		expect(participantOps?.options?.map((o) => o.name)).toEqual([
			'Create or Update',
			'Create or Update Many',
		]);
	});

	it('puts the format rules in a notice right under each participant mapper', () => {
		const { properties } = description;
		const mappers = properties.filter((p) => p.type === 'resourceMapper');
		expect(mappers).toHaveLength(2);
		for (const mapper of mappers) {
			const next = properties[properties.indexOf(mapper) + 1];
			expect(next.type).toBe('notice');
			expect(next.displayOptions).toEqual(mapper.displayOptions);
			expect(next.displayName).toContain('Date of Birth: YYYY-MM-DD');
			expect(next.displayName).toContain('Country Code: two letters');
		}
	});

	it('shows on the canvas the operation and resource a user picked, by their names', () => {
		const shown = (resource: string, operation: string) =>
			evaluateSubtitle(String(description.subtitle), { resource, operation });
		expect(shown('event', 'getAll')).toBe('Get Many: Event');
		expect(shown('race', 'getAll')).toBe('Get Many: Race');
		expect(shown('participant', 'upsert')).toBe('Upsert: Participant');
		expect(shown('participant', 'upsertMany')).toBe('Upsert Many: Participant');
		expect(shown('participant', 'getAll')).toBe('');
	});

	it('keeps every canvas subtitle short enough to be shown whole', () => {
		// The canvas cut "Create or Update Many: Participant" after 28 characters.
		const pairs = description.properties
			.filter((p) => p.name === 'operation')
			.flatMap((p) =>
				(p.displayOptions?.show?.resource ?? []).flatMap((resource) =>
					(p.options ?? []).map((o) => ({
						resource,
						operation: (o as { value: string }).value,
					})),
				),
			);
		expect(pairs).toHaveLength(4);
		for (const parameters of pairs) {
			const subtitle = String(evaluateSubtitle(String(description.subtitle), parameters));
			expect(subtitle).not.toBe('');
			expect(subtitle.length).toBeLessThanOrEqual(24);
		}
	});

	it('uses resource locators with a searchable list first and By ID second', () => {
		const locators = description.properties.filter((p) => p.type === 'resourceLocator');
		expect(locators.length).toBeGreaterThanOrEqual(4);
		for (const locator of locators) {
			expect(locator.default).toEqual({ mode: 'list', value: '' });
			expect(locator.modes?.map((m) => m.name)).toEqual(['list', 'id']);
			expect(locator.modes?.[0].typeOptions?.searchListMethod).toMatch(/^search(Events|Races)$/);
		}
	});

	it('ships light and dark icons and a codex that exist on disk', () => {
		const icon = description.icon as { light: string; dark: string };
		for (const file of [icon.light, icon.dark]) {
			const resolved = path.resolve(root, 'nodes/Tracx', file.replace('file:', ''));
			expect(fs.readFileSync(resolved, 'utf8')).toContain('<svg');
		}
		const codex = JSON.parse(
			fs.readFileSync(path.join(root, 'nodes/Tracx/Tracx.node.json'), 'utf8'),
		);
		expect(codex.node).toBe('n8n-nodes-tracx.tracx');
		expect(codex.categories.length).toBeGreaterThan(0);
		expect(codex.resources.primaryDocumentation[0].url).toMatch(/^https:\/\//);
		expect(codex.resources.credentialDocumentation[0].url).toMatch(/^https:\/\//);
	});
});
