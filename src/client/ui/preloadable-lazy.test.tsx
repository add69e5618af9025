import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { preloadableLazy } from './preloadable-lazy.tsx';

function Greeting({ name }: { name: string }) {
  return <p>Hello, {name}</p>;
}

describe('preloadableLazy', () => {
  it('tries the load again after a failure, and then renders the component at once', async () => {
    let attempts = 0;
    const LazyGreeting = preloadableLazy(() => {
      attempts += 1;
      if (attempts === 1) {
        return Promise.reject(new Error('Failed to fetch dynamically imported module'));
      }
      return Promise.resolve(Greeting);
    });

    await expect(LazyGreeting.preload()).rejects.toThrow('Failed to fetch');
    await expect(LazyGreeting.preload()).resolves.toBe(Greeting);
    await LazyGreeting.preload();
    expect(attempts).toBe(2);

    // Loaded: no Suspense round, the text is there in the first render's output.
    render(<LazyGreeting name="ada" />);
    expect(screen.getByText('Hello, ada')).toBeInTheDocument();
  });
});
