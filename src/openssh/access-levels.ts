/**
 * The access levels of a key line (sshd(8) AUTHORIZED_KEYS FILE FORMAT), alone in a module
 * without imports: the API schemas need the names, not the option parser behind them.
 */

/** The access levels Keysmith composes options for, from the most to the least restricted. */
export const ACCESS_LEVELS = ['restricted', 'interactive', 'full'] as const;
export type Access = (typeof ACCESS_LEVELS)[number];

/** An access level, or `custom` for options that are none of them. */
export const DERIVED_ACCESS_LEVELS = [...ACCESS_LEVELS, 'custom'] as const;
export type DerivedAccess = (typeof DERIVED_ACCESS_LEVELS)[number];
