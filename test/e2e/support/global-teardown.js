'use strict';

/** Jest globalTeardown of the `e2e` project: stops the shared n8n servers (support/shared.js). */
const { stopShared } = require('./shared');

module.exports = async function globalTeardown() {
	await stopShared();
};
