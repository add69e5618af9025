import '@testing-library/jest-dom/vitest';
import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';

// jsdom lacks what Radix's popper and focus handling call; none of it matters to the tests.
class NoopResizeObserver {
  observe() {}
  unobserve() {}
  disconnect() {}
}
Object.assign(globalThis, { ResizeObserver: NoopResizeObserver });
Object.assign(Element.prototype, {
  hasPointerCapture: () => false,
  releasePointerCapture: () => undefined,
  scrollIntoView: () => undefined,
});

// Under vitest's jsdom, TextEncoder hands out Node's Uint8Array while the global Uint8Array is
// jsdom's, so the crypto core's `instanceof Uint8Array` checks fail on a passphrase. Browsers
// have one realm; give the tests one too.
const NodeTextEncoder = globalThis.TextEncoder;
class SameRealmTextEncoder extends NodeTextEncoder {
  override encode(input?: string): Uint8Array<ArrayBuffer> {
    return new Uint8Array(super.encode(input));
  }
}
Object.assign(globalThis, { TextEncoder: SameRealmTextEncoder });

// jsdom's Blob and File lack text(), which every browser has.
Object.assign(Blob.prototype, {
  text(this: Blob): Promise<string> {
    return new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(reader.result as string);
      reader.onerror = () => reject(new Error(reader.error?.message ?? 'read failed'));
      reader.readAsText(this);
    });
  },
});

afterEach(() => {
  cleanup();
});
