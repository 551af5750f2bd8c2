'use strict';

/**
 * Package entry point. n8n itself loads the files listed under "n8n" in package.json;
 * this entry lets other code (and the tests) require the node, trigger and credential classes.
 */
const { Tracx } = require('./dist/nodes/Tracx/Tracx.node.js');
const { TracxTrigger } = require('./dist/nodes/TracxTrigger/TracxTrigger.node.js');
const { TracxConnectApi } = require('./dist/credentials/TracxConnectApi.credentials.js');

module.exports = { Tracx, TracxTrigger, TracxConnectApi };
