'use strict';

const { N8n } = require('../e2e/support/n8n');

/**
 * n8n's `GET /rest/executions` without a range joins two lists it reads at once, the running
 * executions and the finished ones; the driver's executionsOf() must name each execution once.
 */
function driverAnswering(pages) {
	const n8n = new N8n({ n8nVersion: '2.40.7', nodeBin: 'node' }, '/nonexistent', 'info', {});
	const asked = [];
	n8n.restData = async (method, urlPath) => {
		asked.push(`${method} ${urlPath}`);
		return { results: pages.shift() ?? [] };
	};
	return { n8n, asked };
}

const execution = (id, status) => ({ id: String(id), status });

describe("the e2e driver's list of a workflow's executions", () => {
	test('an execution named running and finished in one answer is listed once, finished', async () => {
		const { n8n, asked } = driverAnswering([
			[
				execution(6, 'running'),
				execution(6, 'success'),
				execution(5, 'success'),
				execution(1, 'success'),
			],
		]);
		expect(await n8n.executionsOf('tracxNewRace')).toEqual([
			execution(1, 'success'),
			execution(5, 'success'),
			execution(6, 'success'),
		]);
		expect(asked).toEqual([
			`GET /rest/executions?filter=${encodeURIComponent('{"workflowId":"tracxNewRace"}')}&limit=100`,
		]);
	});

	test('a running execution stays listed as running', async () => {
		const { n8n } = driverAnswering([[execution(7, 'running'), execution(3, 'error')]]);
		expect(await n8n.executionsOf('w')).toEqual([execution(3, 'error'), execution(7, 'running')]);
	});

	test('a full page asks for the older ones until a page is not full', async () => {
		const first = Array.from({ length: 100 }, (_, i) => execution(250 - i, 'success'));
		const second = Array.from({ length: 30 }, (_, i) => execution(150 - i, 'success'));
		const { n8n, asked } = driverAnswering([first, second]);
		const listed = await n8n.executionsOf('w');
		expect(listed).toHaveLength(130);
		expect(listed[0].id).toBe('121');
		expect(listed.at(-1).id).toBe('250');
		expect(asked[1]).toMatch(/&limit=100&lastId=151$/);
	});
});
