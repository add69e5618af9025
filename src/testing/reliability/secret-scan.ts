/**
 * Collects everything a suite's servers printed and every response body, and looks for secrets
 * in it: private keys, passphrases, the sign-in token. The one place the token may appear is the
 * line `keysmith serve` prints for the person starting it (the sign-in URL): that line is the
 * token's purpose, so it is taken out before the scan and nowhere else.
 */
export interface SecretScanner {
  /**
   * A value that must never appear in captured text. `publicPart` is what of it may be shown
   * (a private key file holds its public key, which the key list rightly shows).
   */
  secret(label: string, value: string, publicPart?: string): void;
  /** Adds text the servers printed or answered. */
  capture(source: string, text: string): void;
  /** Every secret found, as "label in source". */
  findings(): string[];
  /** How many pieces of text were captured. */
  captured(): number;
}

const SIGN_IN_LINE = /^Keysmith is running for \S+: http:\/\/[^\s/]+\/#token=[A-Za-z0-9_-]+$/gm;

/**
 * The needles for one secret: the whole value and, for armoured private keys, every base64 line
 * of 20 characters or more, so a key cut into pieces is found too.
 */
function needles(value: string): string[] {
  const lines = value
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length >= 20 && !line.startsWith('-----'));
  return [value.trim(), ...lines];
}

/** Starts an empty scanner. */
export function createSecretScanner(): SecretScanner {
  const secrets: { label: string; needles: string[] }[] = [];
  const texts: { source: string; text: string }[] = [];
  return {
    secret(label, value, publicPart) {
      if (value.trim().length < 8) throw new RangeError(`Secret "${label}" is too short to scan.`);
      const found = needles(value).filter(
        (needle) => publicPart === undefined || !publicPart.includes(needle),
      );
      secrets.push({ label, needles: found });
    },
    capture(source, text) {
      texts.push({ source, text: text.replace(SIGN_IN_LINE, '') });
    },
    findings() {
      const found: string[] = [];
      for (const { source, text } of texts) {
        for (const secret of secrets) {
          if (secret.needles.some((needle) => text.includes(needle))) {
            found.push(`${secret.label} in ${source}`);
          }
        }
      }
      return found;
    },
    captured: () => texts.length,
  };
}

/**
 * Copies everything printed through `console` (as in-process servers log) into the scanner, still
 * printing it. Returns the function that puts `console` back.
 */
export function captureConsole(scanner: SecretScanner, source: string): () => void {
  const methods = ['error', 'warn', 'log', 'info'] as const;
  const originals = methods.map((method) => Object.getOwnPropertyDescriptor(console, method));
  for (const method of methods) {
    const original = console[method].bind(console);
    console[method] = (...args: unknown[]) => {
      scanner.capture(`${source} console.${method}`, args.map(String).join(' '));
      original(...args);
    };
  }
  return () => {
    methods.forEach((method, i) => {
      const original = originals[i];
      if (original !== undefined) Object.defineProperty(console, method, original);
    });
  };
}
