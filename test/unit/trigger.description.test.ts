/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test reads the repository */
import fs from 'fs';
import path from 'path';

import { searchEvents } from '../../nodes/Tracx/methods/listSearch';
import { TracxTrigger } from '../../nodes/TracxTrigger/TracxTrigger.node';
import { evaluateSubtitle } from './support/subtitle';

const trigger = new TracxTrigger();
const description = trigger.description;
const root = path.resolve(__dirname, '../..');

describe('Tracx Trigger description (stored in workflows: keep stable)', () => {
	it('is a polling trigger on the shared credential', () => {
		expect(description).toMatchObject({
			name: 'tracxTrigger',
			displayName: 'Tracx Trigger',
			version: 1,
			polling: true,
			inputs: [],
			group: ['trigger'],
		});
		expect(description.credentials).toEqual([{ name: 'tracxConnectApi', required: true }]);
		const triggerOn = description.properties.find((p) => p.name === 'triggerOn');
		expect(triggerOn?.options?.map((o) => (o as { value: string }).value)).toEqual([
			'eventCreated',
			'eventUpdated',
			'raceCreated',
			'raceUpdated',
		]);
	});

	it('shows on the canvas the trigger a user picked, by its name', () => {
		const shown = (triggerOn: string) =>
			evaluateSubtitle(String(description.subtitle), { triggerOn });
		expect(shown('eventCreated')).toBe('Event Created');
		expect(shown('eventUpdated')).toBe('Event Updated');
		expect(shown('raceCreated')).toBe('Race Created');
		expect(shown('raceUpdated')).toBe('Race Updated');
	});

	it("offers an optional event picker for the race triggers, backed by the node's event search", () => {
		const event = description.properties.find((p) => p.name === 'event');
		expect(event).toMatchObject({ type: 'resourceLocator', required: false });
		expect(event?.displayOptions?.show?.triggerOn).toEqual(['raceCreated', 'raceUpdated']);
		expect(event?.modes?.[0].typeOptions?.searchListMethod).toBe('searchEvents');
		expect(trigger.methods.listSearch.searchEvents).toBe(searchEvents);
	});

	it('is registered in package.json with its icons and codex', () => {
		const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
		expect(pkg.n8n.nodes).toContain('dist/nodes/TracxTrigger/TracxTrigger.node.js');
		const icon = description.icon as { light: string; dark: string };
		for (const file of [icon.light, icon.dark]) {
			const resolved = path.resolve(root, 'nodes/TracxTrigger', file.replace('file:', ''));
			expect(fs.readFileSync(resolved, 'utf8')).toContain('<svg');
		}
		const codex = JSON.parse(
			fs.readFileSync(path.join(root, 'nodes/TracxTrigger/TracxTrigger.node.json'), 'utf8'),
		);
		expect(codex.node).toBe('n8n-nodes-tracx.tracxTrigger');
	});
});
