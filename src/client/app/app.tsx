import { useQuery } from '@tanstack/react-query';
import { Link, Route, Router, Switch } from 'wouter';
import { meQueryOptions } from '../api/me-query-options.ts';
import { OnboardingPage, preloadOnboarding } from '../features/onboarding/lazy-onboarding-page.tsx';
import { SshKeysPage } from '../features/ssh-keys/ssh-keys-page.tsx';
import { guardedNavigation } from './navigation-guard.ts';
import { ProfileMenu } from './profile-menu.tsx';

/** The app shell: header with the profile menu, the mock-mode banner, and the routes. */
export function App() {
  const me = useQuery(meQueryOptions());
  return (
    <Router aroundNav={guardedNavigation}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <Link href="/" className="brand">
          Keysmith
        </Link>
        <ProfileMenu />
      </header>
      {me.data?.mode === 'mock' && (
        <p className="mock-banner" role="note">
          Mock mode — no server; keys live in this tab.
        </p>
      )}
      <main id="main" className="app-main">
        <Switch>
          <Route path="/">
            <Home />
          </Route>
          <Route path="/ssh-keys">
            <SshKeysPage />
          </Route>
          <Route path="/get-started">
            <OnboardingPage />
          </Route>
          <Route>
            <section className="page">
              <h1>Page not found</h1>
              <p>
                There is nothing at this address. Go to the <Link href="/ssh-keys">SSH Keys</Link>{' '}
                page.
              </p>
            </section>
          </Route>
        </Switch>
      </main>
    </Router>
  );
}

function Home() {
  const me = useQuery(meQueryOptions());
  return (
    <section className="page">
      <h1>Welcome to Keysmith</h1>
      {me.isError ? (
        <div role="alert" className="error-box">
          <p>{me.error.message}</p>
        </div>
      ) : null}
      <p>
        Keysmith manages the SSH keys that can log in as you: keys made in this browser, or ones you
        already have, each with an expiry and only the access it needs. New here and using Seqera
        Platform? Get started: a key for Seqera in a few steps.
      </p>
      <div className="page-actions">
        <Link href="/ssh-keys" className="button button-primary">
          SSH Keys
        </Link>
        <Link
          href="/get-started"
          className="button button-secondary"
          onPointerEnter={preloadOnboarding}
          onFocus={preloadOnboarding}
        >
          Get started with Seqera Platform
        </Link>
      </div>
      <p className="hint">SSH Keys is also in the profile menu, in the upper-right corner.</p>
    </section>
  );
}
