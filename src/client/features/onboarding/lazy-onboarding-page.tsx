import { preloadableLazy } from '../../ui/preloadable-lazy.tsx';

/**
 * The onboarding flow, and with it the key generation code, loads only when visited, to keep
 * the first load small. Meanwhile the page shows its heading, so it is never a page without
 * one (axe: page-has-heading-one).
 */
export const OnboardingPage = preloadableLazy(
  () => import('./onboarding-page.tsx').then((module) => module.OnboardingPage),
  <section className="page onboarding" aria-labelledby="onboarding-title">
    <h1 id="onboarding-title">Get started with Seqera Platform</h1>
    <p role="status" className="loading">
      Loading…
    </p>
  </section>,
);

/** Starts loading the onboarding flow: for the hover or focus of a link to it. */
export function preloadOnboarding() {
  void OnboardingPage.preload();
}
