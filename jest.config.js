/** Two projects: `unit` (nock, no network, seconds) and `e2e` (built package inside real n8n
 * against the local Tracx sandbox, minutes). `npm test` runs both through gulp. */
module.exports = {
	// The e2e project's time per file and the scenarios it ran (support/time-reporter.js).
	reporters: ['default', '<rootDir>/test/e2e/support/time-reporter.js'],
	projects: [
		{
			displayName: 'unit',
			testEnvironment: 'node',
			roots: ['<rootDir>/test'],
			testMatch: [
				'<rootDir>/test/unit/**/*.test.ts',
				'<rootDir>/test/sandbox/**/*.test.js',
				'<rootDir>/test/tools/**/*.test.js',
			],
			transform: {
				'^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/test/tsconfig.json' }],
			},
		},
		{
			displayName: 'e2e',
			testEnvironment: 'node',
			roots: ['<rootDir>/test'],
			testMatch: ['<rootDir>/test/e2e/**/*.test.js'],
			globalSetup: '<rootDir>/test/e2e/support/global-setup.js',
			globalTeardown: '<rootDir>/test/e2e/support/global-teardown.js',
		},
	],
};
