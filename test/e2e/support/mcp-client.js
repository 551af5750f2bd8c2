'use strict';

/** An MCP client of a workflow's MCP Server Trigger, as an AI agent connects to it. */

const { Client } = require('@modelcontextprotocol/sdk/client/index.js');
const {
	StreamableHTTPClientTransport,
} = require('@modelcontextprotocol/sdk/client/streamableHttp.js');

const { waitFor } = require('./wait');

/** How long n8n may take to register the MCP endpoint after it reports ready. */
const ENDPOINT_TIMEOUT_MS = 60_000;

/**
 * Connects to `${baseUrl}/mcp/${mcpPath}`, trying again while n8n has not registered the
 * endpoint yet (it does so after publishing the workflow, a moment after the REST call).
 */
async function connectMcp(baseUrl, mcpPath, clientName) {
	let lastError = '';
	return waitFor(
		() => `the MCP endpoint /mcp/${mcpPath} to answer (last: ${lastError})`,
		async () => {
			const mcp = new Client({ name: clientName, version: '1.0.0' });
			try {
				await mcp.connect(new StreamableHTTPClientTransport(new URL(`${baseUrl}/mcp/${mcpPath}`)));
				return mcp;
			} catch (error) {
				lastError = error.message;
				await mcp.close().catch(() => {});
				return null;
			}
		},
		{ ms: ENDPOINT_TIMEOUT_MS },
	);
}

module.exports = { connectMcp };
