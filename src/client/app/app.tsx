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
        Keysmith manages the SSH keys that can log in as you. Open <strong>SSH Keys</strong> from
        the profile menu in the upper-right corner, or go straight to the{' '}
        <Link href="/ssh-keys">SSH Keys</Link> page. New here and using Seqera Platform?{' '}
        <Link href="/get-started" onPointerEnter={preloadOnboarding} onFocus={preloadOnboarding}>
          Get started
        </Link>
        : a key for Seqera in a few steps.
      </p>
    </section>
  );
}
