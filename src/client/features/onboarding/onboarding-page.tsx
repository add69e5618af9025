import { useQuery } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import { meQueryOptions } from '../../api/me-query-options.ts';
import type { LeaveHandler } from '../../app/navigation-guard.ts';
import type { GeneratedKey } from '../ssh-keys/generated-key.ts';
import { keysWhere, useKeyPlace } from '../ssh-keys/key-place.ts';
import { CheckStep } from './check-step.tsx';
import { CopyStep } from './copy-step.tsx';
import { DoneStep } from './done-step.tsx';
import {
  initialFlow,
  loadFlow,
  onboardingSteps,
  saveFlow,
  type OnboardingStep,
  type SavedFlow,
} from './flow-storage.ts';
import { GenerateStep } from './generate-step.tsx';
import { IntroStep } from './intro-step.tsx';
import { RemoveFlowKeyDialog } from './remove-flow-key-dialog.tsx';
import { useNavigationGuard } from './use-navigation-guard.ts';

/** The private key and its passphrase: in this component's memory only, never in storage. */
interface Secret {
  generated: GeneratedKey;
  passphrase: string;
}

const ONBOARDING_PATH = '/get-started';

const stepTitles: Record<OnboardingStep, string> = {
  intro: 'What will happen',
  generate: 'Generate a key for Seqera',
  copy: 'Add it to Seqera Platform',
  check: 'Check the key',
  done: 'Done',
};

/** Where the user asked to go from step 3, and how to get there once the key is removed. */
interface Leaving {
  to: string;
  go: () => void;
}

/**
 * "Get started": from nothing to a Seqera Platform SSH credential that can log in as the user,
 * or a new key for an existing one. Reuses the SSH Keys page's generation, list and warnings.
 */
export function OnboardingPage() {
  const me = useQuery(meQueryOptions());
  const place = useKeyPlace();
  const [flow, setFlow] = useState<SavedFlow>(() => loadFlow());
  // Set when the page opened on a step past "generate": the private key is gone (by design).
  const [restored, setRestored] = useState(() => flow.step !== 'intro' && flow.step !== 'generate');
  const [secret, setSecret] = useState<Secret | null>(null);
  const [confirmingStartOver, setConfirmingStartOver] = useState(false);
  const [leaving, setLeaving] = useState<Leaving | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const focusedStep = useRef(flow.step);

  useEffect(() => saveFlow(flow), [flow]);
  useEffect(() => {
    // Each new step takes the focus to its heading, so keyboard and screen reader users land
    // at its start; not on opening the page, where the page heading comes first.
    if (focusedStep.current === flow.step) return;
    focusedStep.current = flow.step;
    heading.current?.focus();
  }, [flow.step]);

  // While the private key is on screen, every in-app way out asks first, and leaving removes
  // the key's public half: nobody would hold its private half.
  const privateKeyShown = flow.step === 'copy' && secret !== null;
  const askBeforeLeaving = useCallback<LeaveHandler>((to, go) => setLeaving({ to, go }), []);
  useNavigationGuard(ONBOARDING_PATH, privateKeyShown ? askBeforeLeaving : null);

  function startOver() {
    setSecret(null);
    setRestored(false);
    setConfirmingStartOver(false);
    setFlow(initialFlow);
  }

  // A key the flow made and never finished with is removed on "Start over" (after asking).
  const unfinishedKey = flow.step !== 'done' ? flow.key : null;
  const stepIndex = onboardingSteps.indexOf(flow.step);
  // After a reload on step 3 the notice offers its own "Start over with a new key".
  const keyGone = flow.step === 'copy' && secret === null;

  return (
    <section className="page onboarding" aria-labelledby="onboarding-title">
      <h1 id="onboarding-title">Get started with Seqera Platform</h1>
      <ol className="stepper" aria-label="Steps">
        {onboardingSteps.map((step, index) => (
          <li
            key={step}
            className={
              index < stepIndex ? 'stepper-done' : index === stepIndex ? 'stepper-now' : ''
            }
            aria-current={step === flow.step ? 'step' : undefined}
          >
            {stepTitles[step]}
          </li>
        ))}
      </ol>

      <div className="onboarding-step">
        <h2 ref={heading} tabIndex={-1} className="step-title">
          Step {stepIndex + 1} of {onboardingSteps.length}: {stepTitles[flow.step]}
          {flow.renews ? ` (renewing ${flow.renews.name})` : ''}
        </h2>
        {renderStep()}
      </div>

      {flow.step !== 'intro' && !keyGone && (
        <div className="start-over">
          <button
            type="button"
            className="button button-secondary"
            onClick={() => (unfinishedKey ? setConfirmingStartOver(true) : startOver())}
          >
            Start over
          </button>
        </div>
      )}
      {confirmingStartOver && unfinishedKey && (
        <RemoveFlowKeyDialog
          fingerprint={unfinishedKey.fingerprint}
          title="Start over?"
          description={
            <>
              This removes the key <strong>{unfinishedKey.name}</strong> (
              <span className="mono">{unfinishedKey.fingerprint}</span>) that this flow made from{' '}
              {keysWhere(place)}, then starts again with a new key. If you already added it to
              Seqera Platform, delete that credential there too.
              {flow.renews ? ` The old key ${flow.renews.name} stays.` : ''}
            </>
          }
          confirmLabel="Remove key and start over"
          onCancel={() => setConfirmingStartOver(false)}
          onRemoved={startOver}
        />
      )}
      {leaving && flow.key && (
        <RemoveFlowKeyDialog
          fingerprint={flow.key.fingerprint}
          title="Leave without the private key?"
          description={
            <>
              The private key of <strong>{flow.key.name}</strong> is only on this page, and leaving
              loses it. So that no key nobody holds can log in as you, leaving also removes its
              public half (<span className="mono">{flow.key.fingerprint}</span>) from{' '}
              {keysWhere(place)}. If you already added it to Seqera, stay and select “
              {flow.renews ? 'I have updated it in Seqera' : 'I have added it to Seqera'}”.
            </>
          }
          cancelLabel="Stay"
          confirmLabel="Remove key and leave"
          onCancel={() => setLeaving(null)}
          onRemoved={() => {
            // Saved now: this page unmounts on the way out, before its effects would run.
            saveFlow(initialFlow);
            setLeaving(null);
            leaving.go();
          }}
        />
      )}
    </section>
  );

  function renderStep() {
    switch (flow.step) {
      case 'intro':
        return (
          <IntroStep
            user={me.data?.user ?? null}
            onBegin={(renews) => setFlow({ step: 'generate', key: null, renews })}
          />
        );
      case 'generate':
        if (!me.data) {
          return me.isError ? (
            <p role="alert" className="error-box">
              Could not tell who you are: {me.error.message}
            </p>
          ) : (
            <p role="status" className="loading">
              Loading…
            </p>
          );
        }
        return (
          <GenerateStep
            user={me.data.user}
            renews={flow.renews}
            onGenerated={(generated, passphrase) => {
              setSecret({ generated, passphrase });
              setFlow({
                ...flow,
                step: 'copy',
                key: {
                  name: generated.name,
                  fingerprint: generated.fingerprint,
                  encrypted: generated.encrypted,
                },
              });
            }}
          />
        );
      case 'copy':
        if (!secret || !flow.key) {
          return (
            <KeyGoneNotice
              name={flow.key?.name ?? 'the key'}
              renewing={flow.renews !== null}
              onContinue={() => setFlow({ ...flow, step: 'check' })}
              onStartOver={() => setConfirmingStartOver(true)}
            />
          );
        }
        return (
          <CopyStep
            generated={secret.generated}
            passphrase={secret.passphrase}
            user={me.data?.user ?? ''}
            renewing={flow.renews !== null}
            seqeraApis={me.data?.seqeraApis ?? []}
            onPasted={() => {
              // Leaving step 3 drops the private key: nothing after it needs the key.
              setSecret(null);
              setFlow({ ...flow, step: 'check' });
            }}
          />
        );
      case 'check':
        return (
          <>
            {restored && (
              <p className="hint" role="note">
                This page was reloaded: the private key is no longer here, by design. This step does
                not need it.
              </p>
            )}
            {flow.key && (
              <CheckStep
                flowKey={flow.key}
                user={me.data?.user ?? 'you'}
                onFinish={() => setFlow({ ...flow, step: 'done' })}
              />
            )}
          </>
        );
      case 'done':
        return (
          flow.key && (
            <DoneStep flowKey={flow.key} renews={flow.renews} user={me.data?.user ?? ''} />
          )
        );
      default:
        return flow.step satisfies never;
    }
  }
}

/** After a reload on step 3: the private key was only in memory. Say so, plainly. */
function KeyGoneNotice({
  name,
  renewing,
  onContinue,
  onStartOver,
}: {
  name: string;
  /** The old key of the same name stays whatever happens to this one. */
  renewing: boolean;
  onContinue: () => void;
  onStartOver: () => void;
}) {
  const place = useKeyPlace();
  return (
    <div className="warning-box" role="note">
      <p>
        <strong>The private key is gone.</strong> This page was reloaded (or left) after the key{' '}
        <strong>{name}</strong> was made. Keysmith never stores a private key, not even in this
        browser, so it was lost with the page: this is by design, not a fault.
      </p>
      <p>
        If you already pasted it into Seqera Platform, continue. Otherwise start over: that removes
        this new key {name} from {keysWhere(place)}
        {renewing ? ' (the old key of that name stays)' : ''} and makes a new one.
      </p>
      <div className="action-row">
        <button type="button" className="button button-primary" onClick={onContinue}>
          I already pasted it into Seqera
        </button>
        <button type="button" className="button button-secondary" onClick={onStartOver}>
          Start over with a new key
        </button>
      </div>
    </div>
  );
}
