import { describe, expect, it } from 'vitest';
import { NO_POLICY, type Policy } from '../../../api/policy.ts';
import {
  accessChoices,
  defaultKeyOptions,
  expiryChoices,
  fitToPolicy,
  nameFromComment,
  toCreateOptions,
  validateKeyOptions,
} from './key-options.ts';

const now = new Date(2026, 11, 6, 12, 0, 0);
const policy = (limits: Partial<Policy>): Policy => ({ ...NO_POLICY, ...limits });

describe('nameFromComment', () => {
  it('takes a comment that is a valid name as it is', () => {
    expect(nameFromComment('grace_laptop-2', now)).toBe('grace_laptop-2');
  });

  it('makes each run of other characters one "-", without dashes at the ends', () => {
    expect(nameFromComment('grace@laptop', now)).toBe('grace-laptop');
    expect(nameFromComment('  Grace Hopper (work) ', now)).toBe('Grace-Hopper-work');
    expect(nameFromComment('ünï@höst', now)).toBe('n-h-st');
  });

  it('cuts a long comment to 100 characters, and a dash at the cut', () => {
    expect(nameFromComment(`${'a'.repeat(99)}@b`, now)).toBe('a'.repeat(99));
    expect(nameFromComment('x'.repeat(150), now)).toBe('x'.repeat(100));
  });

  it('falls back to imported-DATE when nothing usable is left', () => {
    expect(nameFromComment('@@@', now)).toBe('imported-20261206');
    expect(nameFromComment('ünïcödé', now)).toBe('n-c-d');
    expect(nameFromComment('日本', now)).toBe('imported-20261206');
  });
});

describe('choices under a policy', () => {
  it('offers every expiry and access without a policy', () => {
    expect(expiryChoices(NO_POLICY).map((choice) => choice.value)).toEqual([
      'none',
      '30',
      '90',
      '365',
      'date',
    ]);
    expect(accessChoices(NO_POLICY)).toEqual(['interactive', 'restricted', 'full']);
  });

  it('drops "Never" and anything past maxLifetimeDays, and offers the maximum itself', () => {
    expect(expiryChoices(policy({ maxLifetimeDays: 90 })).map((choice) => choice.value)).toEqual([
      '30',
      '90',
      'date',
    ]);
    const sixty = expiryChoices(policy({ maxLifetimeDays: 60 }));
    expect(sixty.map((choice) => choice.value)).toEqual(['30', '60', 'date']);
    expect(sixty[1]?.label).toBe('In 60 days (the longest allowed here)');
    expect(expiryChoices(policy({ maxLifetimeDays: 7 })).map((choice) => choice.value)).toEqual([
      '7',
      'date',
    ]);
  });

  it('offers only the allowed access levels', () => {
    expect(accessChoices(policy({ allowedAccess: ['restricted', 'full'] }))).toEqual([
      'restricted',
      'full',
    ]);
  });

  it('fits a choice the policy forbids: the longest allowed up to 90 days, the first access allowed', () => {
    const value = { ...defaultKeyOptions('key', now), expiry: 'none' as const };
    expect(fitToPolicy(value, policy({ maxLifetimeDays: 60 })).expiry).toBe('60');
    expect(fitToPolicy(value, policy({ maxLifetimeDays: 400 })).expiry).toBe('90');
    expect(fitToPolicy(value, policy({ maxLifetimeDays: 7 })).expiry).toBe('7');
    expect(fitToPolicy(value, policy({ allowedAccess: ['interactive'] })).access).toBe(
      'interactive',
    );
    expect(fitToPolicy(value, NO_POLICY)).toBe(value);
  });
});

describe('validateKeyOptions under a policy', () => {
  it('refuses a date past maxLifetimeDays and accepts one within', () => {
    const value = { ...defaultKeyOptions('key', now), expiry: 'date' as const };
    expect(
      validateKeyOptions({ ...value, date: '2027-03-10' }, now, policy({ maxLifetimeDays: 90 })),
    ).toEqual({ date: 'Keys may live at most 90 days here: choose a date within 90 days.' });
    expect(
      validateKeyOptions({ ...value, date: '2027-03-01' }, now, policy({ maxLifetimeDays: 90 })),
    ).toEqual({});
    expect(validateKeyOptions({ ...value, date: '2027-03-10' }, now)).toEqual({});
    // The last day offered (the date input's max) is the day before: a date lasts to 23:59:59.
    expect(
      validateKeyOptions({ ...value, date: '2027-03-05' }, now, policy({ maxLifetimeDays: 90 })),
    ).toEqual({});
    expect(
      validateKeyOptions({ ...value, date: '2027-03-06' }, now, policy({ maxLifetimeDays: 90 })),
    ).toHaveProperty('date');
  });

  it('requires source addresses under requireFrom, and checks them always', () => {
    const value = defaultKeyOptions('key', now);
    expect(validateKeyOptions(value, now, policy({ requireFrom: true })).from).toMatch(
      /^This site requires source addresses/,
    );
    expect(validateKeyOptions(value, now)).toEqual({});
    expect(
      validateKeyOptions(
        { ...value, from: '10.0.0.0/8, *.example.org' },
        now,
        policy({ requireFrom: true }),
      ),
    ).toEqual({});
    expect(validateKeyOptions({ ...value, from: '10.0.0.1/8' }, now).from).toContain(
      'use 10.0.0.0/8',
    );
    expect(validateKeyOptions({ ...value, from: '!10.1.2.3' }, now).from).toMatch(
      /only exclusions/,
    );
  });

  it('sends the source addresses as a list, split on commas and blanks', () => {
    const value = {
      ...defaultKeyOptions('key', now),
      from: ' 10.0.0.0/8,*.example.org  !10.1.2.3 ',
    };
    expect(toCreateOptions(value, now).from).toEqual(['10.0.0.0/8', '*.example.org', '!10.1.2.3']);
    expect(toCreateOptions(defaultKeyOptions('key', now), now)).not.toHaveProperty('from');
  });
});
