// zod/mini, as src/api: one zod build in the page, and the one of about a third the bytes.
import * as z from 'zod/mini';

/**
 * The onboarding flow's steps, in order: what will happen, generate, paste into Seqera, check
 * the key (and the file's modes), done.
 */
export const onboardingSteps = ['intro', 'generate', 'copy', 'check', 'done'] as const;
export type OnboardingStep = (typeof onboardingSteps)[number];

const nameSchema = z.string().check(z.maxLength(100));
const fingerprintSchema = z.string().check(z.regex(/^SHA256:[A-Za-z0-9+/]{43}$/));

/**
 * What survives a reload: the step, the key's identity and, for a renewal, the old key's. Never
 * the private key or the passphrase; those live only in the page's memory, so a reload loses
 * them by design.
 */
const savedFlowSchema = z.strictObject({
  step: z.enum(onboardingSteps),
  key: z.nullable(
    z.strictObject({ name: nameSchema, fingerprint: fingerprintSchema, encrypted: z.boolean() }),
  ),
  /** The Seqera key this flow replaces: removed once the user says Seqera has the new one. */
  renews: z.nullable(z.strictObject({ name: nameSchema, fingerprint: fingerprintSchema })),
});
export type SavedFlow = z.infer<typeof savedFlowSchema>;
export type FlowKey = NonNullable<SavedFlow['key']>;
export type RenewedKey = NonNullable<SavedFlow['renews']>;

export const ONBOARDING_STORAGE_KEY = 'keysmith.onboarding';
export const initialFlow: SavedFlow = { step: 'intro', key: null, renews: null };

/**
 * The saved flow of this tab (sessionStorage: a reload keeps it, another tab starts afresh), or
 * the start when there is none or it does not parse (storage is user-editable: checked).
 */
export function loadFlow(storage: Storage = sessionStorage): SavedFlow {
  let raw: string | null;
  try {
    raw = storage.getItem(ONBOARDING_STORAGE_KEY);
  } catch {
    return initialFlow;
  }
  if (raw === null) return initialFlow;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return initialFlow;
  }
  const parsed = savedFlowSchema.safeParse(json);
  if (!parsed.success) return initialFlow;
  // A key belongs to the steps after "generate"; anything else is a tampered or stale entry.
  const needsKey = parsed.data.step === 'copy' || parsed.data.step === 'check';
  if (needsKey !== (parsed.data.key !== null) && parsed.data.step !== 'done') return initialFlow;
  return parsed.data;
}

/** Saves the step and the key's identity; the start clears the entry. */
export function saveFlow(flow: SavedFlow, storage: Storage = sessionStorage): void {
  try {
    if (flow.step === 'intro') storage.removeItem(ONBOARDING_STORAGE_KEY);
    else {
      const saved: SavedFlow = savedFlowSchema.parse(flow);
      storage.setItem(ONBOARDING_STORAGE_KEY, JSON.stringify(saved));
    }
  } catch {
    // Storage full or disabled: the flow still works, it only forgets its place on reload.
  }
}
