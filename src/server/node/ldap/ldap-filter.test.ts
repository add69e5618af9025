import { EqualityFilter, FilterParser, SubstringFilter } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { escapeFilterValue, userFilter, userFilterProblem } from './ldap-filter.ts';

describe('escapeFilterValue', () => {
  // RFC 4515 §4, the examples of escaped values.
  it('escapes parentheses as RFC 4515 shows', () => {
    expect(`(o=${escapeFilterValue('Parens R Us (for all your parenthetical needs)')})`).toBe(
      '(o=Parens R Us \\28for all your parenthetical needs\\29)',
    );
  });

  it('escapes an asterisk, so it is no substring wildcard', () => {
    expect(`(cn=*${escapeFilterValue('*')}*)`).toBe('(cn=*\\2a*)');
  });

  it('escapes a backslash', () => {
    expect(`(filename=${escapeFilterValue('C:\\MyFile')})`).toBe('(filename=C:\\5cMyFile)');
  });

  it('escapes NUL', () => {
    expect(`(bin=${escapeFilterValue('\0\0\0\u0004')})`).toBe('(bin=\\00\\00\\00\u0004)');
  });

  it('leaves UTF-8 text as it is (RFC 4515 §3: UTFMB)', () => {
    expect(escapeFilterValue('Lučić')).toBe('Lučić');
  });

  it('keeps a name carrying a filter a single equality value', () => {
    const filter = FilterParser.parseString(userFilter('(uid=%u)', 'alice)(uid=*'));
    if (!(filter instanceof EqualityFilter)) throw new Error('not an equality filter');
    expect(filter.attribute).toBe('uid');
    expect(filter.value).toBe('alice)(uid=*');
  });

  it('keeps a wildcard name from becoming a substring filter', () => {
    const filter = FilterParser.parseString(userFilter('(uid=%u)', '*'));
    expect(filter).not.toBeInstanceOf(SubstringFilter);
    if (!(filter instanceof EqualityFilter)) throw new Error('not an equality filter');
    expect(filter.value).toBe('*');
  });
});

describe('userFilter', () => {
  it('replaces every %u, and a $ in the name stays itself', () => {
    expect(userFilter('(|(uid=%u)(mail=%u@example.org))', 'a$&b')).toBe(
      '(|(uid=a$&b)(mail=a$&b@example.org))',
    );
  });
});

describe('userFilterProblem', () => {
  it('accepts the default and a compound filter', () => {
    expect(userFilterProblem('(uid=%u)')).toBeNull();
    expect(userFilterProblem('(&(objectClass=posixAccount)(uid=%u))')).toBeNull();
  });

  it('refuses a filter without %u', () => {
    expect(userFilterProblem('(uid=alice)')).toMatch(/must contain %u/);
  });

  it('refuses text that is no filter', () => {
    expect(userFilterProblem('(uid=%u')).toMatch(/is not an LDAP filter/);
  });
});
