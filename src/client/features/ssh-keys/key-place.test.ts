import { describe, expect, it } from 'vitest';
import { additionTakesEffect, keyPlaceOf, keysWhere, removalTakesEffect } from './key-place.ts';

describe('key place', () => {
  it('a list without directoryCacheMinutes is the file: removal at once, no wait to add', () => {
    const place = keyPlaceOf({ directoryCacheMinutes: undefined });
    expect(keysWhere(place)).toBe('your ~/.ssh/authorized_keys');
    expect(removalTakesEffect(place)).toBe('at once');
    expect(additionTakesEffect(place)).toBeNull();
  });

  it("a list with directoryCacheMinutes is the directory: removal within SSSD's cache time", () => {
    const place = keyPlaceOf({ directoryCacheMinutes: 90 });
    expect(keysWhere(place)).toBe("your entry in the site's directory");
    expect(removalTakesEffect(place)).toBe(
      "on every host within 90 minutes, when SSSD's cache expires; your administrator can make it sooner",
    );
    expect(additionTakesEffect(place)).toMatch(/up to 90 minutes/);
    expect(removalTakesEffect(keyPlaceOf({ directoryCacheMinutes: 1 }))).toMatch(
      /within 1 minute,/,
    );
  });

  it('before the list is known, promises neither', () => {
    const place = keyPlaceOf(undefined);
    expect(keysWhere(place)).toBe('your SSH keys');
    expect(removalTakesEffect(place)).not.toMatch(/at once/);
  });
});
