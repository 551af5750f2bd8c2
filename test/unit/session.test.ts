import {
	DEFAULT_BASE_URL,
	EXPIRY_MARGIN_SECONDS,
	authorizationValue,
	fingerprintOf,
	normalizeBaseUrl,
	readCredentials,
	sessionState,
	type TracxCredentials,
} from '../../nodes/Tracx/shared/session';
import { fakeSessionToken } from './support/fake-n8n';

const NOW = 1_800_000_000;

function fresh(overrides: Partial<TracxCredentials> = {}): TracxCredentials {
	const base: TracxCredentials = {
		connectToken: 'fake-connect-token-all',
		baseUrl: 'https://api.tracx.test/v1/connect',
		authorizationHeaderFormat: 'bare',
		sessionToken: fakeSessionToken(1),
		sessionExpiresAt: NOW + 3600,
		sessionIssuedAt: NOW,
		sessionFingerprint: '',
		...overrides,
	};
	return {
		...base,
		sessionFingerprint:
			overrides.sessionFingerprint ?? fingerprintOf(base.connectToken, base.baseUrl),
	};
}

describe('base URL rule', () => {
	it.each([
		['https://api.tracx.events/v1/connect', 'https://api.tracx.events/v1/connect'],
		['https://api.tracx.events/v1/connect///', 'https://api.tracx.events/v1/connect'],
		['  https://API.tracx.events/v1/connect/ ', 'https://api.tracx.events/v1/connect'],
		['http://127.0.0.1:4010/v1/connect/', 'http://127.0.0.1:4010/v1/connect'],
		['http://127.8.9.10/v1/connect', 'http://127.8.9.10/v1/connect'],
		['http://localhost:8080/v1/connect', 'http://localhost:8080/v1/connect'],
		['http://[::1]:8080/v1/connect', 'http://[::1]:8080/v1/connect'],
		['', DEFAULT_BASE_URL],
	])('accepts %j as %j', (raw, expected) => {
		expect(normalizeBaseUrl(raw)).toBe(expected);
	});

	it.each([
		['http://api.tracx.events/v1/connect', /must use https/],
		['http://10.0.0.5/v1/connect', /must use https/],
		['http://127.0.0.1.evil.example/v1/connect', /must use https/],
		['http://localhost.evil.example/v1', /must use https/],
		['ftp://api.tracx.events/v1/connect', /must use https/],
		['https://user:secret@api.tracx.events/v1/connect', /user name or password/],
		['https://api.tracx.events@evil.example/v1/connect', /user name or password/],
		['https://api.tracx.events/v1/connect?x=1', /query string/],
		['https://api.tracx.events/v1/connect#frag', /query string or fragment/],
		['https://', /not a valid URL/],
		['https://api tracx.events/v1/connect', /not a valid URL/],
	])('refuses %j', (raw, message) => {
		expect(() => normalizeBaseUrl(raw)).toThrow(message);
	});

	it.each([
		'api.tracx.events/v1/connect',
		'localhost:3000/v1/connect',
		'127.0.0.1:3000/v1/connect',
		'https//api.tracx.events/v1/connect',
		'not a url',
	])('says that %j must start with https://', (raw) => {
		expect(() => normalizeBaseUrl(raw)).toThrow(
			`The Base URL of the Tracx credential must start with https:// (for example ${DEFAULT_BASE_URL})`,
		);
	});

	it('keeps path tricks on the same host', () => {
		expect(normalizeBaseUrl('https://api.tracx.events/v1/connect/../../other')).toBe(
			'https://api.tracx.events/other',
		);
	});
});

describe('session state', () => {
	it('is usable while more than the margin remains', () => {
		expect(sessionState(fresh(), NOW)).toBe('usable');
		expect(sessionState(fresh(), NOW + 3600 - EXPIRY_MARGIN_SECONDS - 1)).toBe('usable');
	});

	it('counts as expired within the 60 s margin and after expiry', () => {
		expect(sessionState(fresh(), NOW + 3600 - EXPIRY_MARGIN_SECONDS)).toBe('expired');
		expect(sessionState(fresh(), NOW + 3600 - 1)).toBe('expired');
		expect(sessionState(fresh(), NOW + 7200)).toBe('expired');
	});

	it('shrinks the margin to half the lifetime for short-lived tokens', () => {
		const short = fresh({ sessionExpiresAt: NOW + 40, sessionIssuedAt: NOW });
		expect(sessionState(short, NOW + 19)).toBe('usable');
		expect(sessionState(short, NOW + 20)).toBe('expired');
	});

	it('is missing without a token', () => {
		expect(sessionState(fresh({ sessionToken: '' }), NOW)).toBe('missing');
	});

	it('is foreign after the connect token or the base URL changed', () => {
		const issued = fresh();
		expect(sessionState({ ...issued, connectToken: 'fake-connect-token-other' }, NOW)).toBe(
			'foreign',
		);
		expect(sessionState({ ...issued, baseUrl: 'https://staging.tracx.test/v1/connect' }, NOW)).toBe(
			'foreign',
		);
		expect(sessionState({ ...issued, sessionFingerprint: '' }, NOW)).toBe('foreign');
	});

	it('reads stored values of any type n8n may hand over', () => {
		const read = readCredentials({
			connectToken: ' fake-connect-token-all ',
			baseUrl: 'https://api.tracx.test/v1/connect/',
			sessionToken: fakeSessionToken(1),
			sessionExpiresAt: String(NOW + 100),
			sessionIssuedAt: undefined as unknown as string,
			authorizationHeaderFormat: 'bearer',
		});
		expect(read).toMatchObject({
			connectToken: 'fake-connect-token-all',
			baseUrl: 'https://api.tracx.test/v1/connect',
			sessionExpiresAt: NOW + 100,
			sessionIssuedAt: 0,
			authorizationHeaderFormat: 'bearer',
		});
	});

	it('never stores the connect token in the fingerprint', () => {
		const fingerprint = fingerprintOf(
			'fake-connect-token-all',
			'https://api.tracx.test/v1/connect',
		);
		expect(fingerprint).toMatch(/^[0-9a-f]{64}$/);
		expect(fingerprint).not.toContain('fake-connect-token-all');
	});
});

describe('authorization header value', () => {
	it('is the bare token by default and Bearer on request', () => {
		expect(authorizationValue(fresh())).toBe(fakeSessionToken(1));
		expect(authorizationValue(fresh({ authorizationHeaderFormat: 'bearer' }))).toBe(
			`Bearer ${fakeSessionToken(1)}`,
		);
	});
});
