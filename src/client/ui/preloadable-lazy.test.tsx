import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Component, type ReactNode } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { preloadableLazy } from './preloadable-lazy.tsx';

function Greeting({ name }: { name: string }) {
  return <p>Hello, {name}</p>;
}

const chunkFailure = () =>
  Promise.reject(new TypeError('Failed to fetch dynamically imported module: /assets/x.js'));

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('preloadableLazy', () => {
  it('tries the load again after a failure, and then renders the component at once', async () => {
    let attempts = 0;
    const LazyGreeting = preloadableLazy(() => {
      attempts += 1;
      if (attempts === 1) return chunkFailure();
      return Promise.resolve(Greeting);
    });

    await expect(LazyGreeting.preload()).rejects.toThrow('A part of the page did not load.');
    await expect(LazyGreeting.preload()).resolves.toBe(Greeting);
    await LazyGreeting.preload();
    expect(attempts).toBe(2);

    // Loaded: no Suspense round, the text is there in the first render's output.
    render(<LazyGreeting name="ada" />);
    expect(screen.getByText('Hello, ada')).toBeInTheDocument();
  });

  it('says Keysmith was updated, with Reload, when the server answers but the chunk is gone', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const fetch = vi.fn(() => Promise.resolve(new Response(null, { status: 200 })));
    vi.stubGlobal('fetch', fetch);
    const LazyGreeting = preloadableLazy<{ name: string }>(chunkFailure);
    render(<LazyGreeting name="ada" />);

    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Keysmith was updated: reload the page.',
    );
    expect(screen.getByRole('button', { name: 'Reload' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Retry' })).not.toBeInTheDocument();
    expect(fetch).toHaveBeenCalledWith('/', { method: 'HEAD', cache: 'no-store' });
  });

  it('says Keysmith is not reachable, with Retry, when the server does not answer; Retry loads it', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    vi.stubGlobal('fetch', () => Promise.reject(new TypeError('Failed to fetch')));
    let serverUp = false;
    const LazyGreeting = preloadableLazy<{ name: string }>(() =>
      serverUp ? Promise.resolve(Greeting) : chunkFailure(),
    );
    render(<LazyGreeting name="ada" />);

    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Keysmith is not reachable: check that it is running, then try again.',
    );
    serverUp = true;
    await userEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(await screen.findByText('Hello, ada')).toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('leaves a bug in the loaded part to the boundary above, not to "reload the page"', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    function Broken(): ReactNode {
      throw new Error('a bug');
    }
    class Outer extends Component<{ children: ReactNode }, { error: string | null }> {
      override state: { error: string | null } = { error: null };
      static getDerivedStateFromError(error: Error) {
        return { error: error.message };
      }
      override render() {
        return this.state.error ?? this.props.children;
      }
    }
    const LazyBroken = preloadableLazy(() => Promise.resolve(Broken));
    render(
      <Outer>
        <LazyBroken />
      </Outer>,
    );
    expect(await screen.findByText('a bug')).toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });
});
