import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { Link } from 'wouter';
import { meQueryOptions } from '../../api/me-query-options.ts';
import type { GeneratedKey } from '../ssh-keys/generated-key.ts';
import { CheckStep } from './check-step.tsx';
import { CopyStep } from './copy-step.tsx';
import {
  initialFlow,
  loadFlow,
  onboardingSteps,
  saveFlow,
  type OnboardingStep,
  type SavedFlow,
} from './flow-storage.ts';
import { GenerateStep } from './generate-step.tsx';
import { StartOverDialog } from './start-over-dialog.tsx';

/** The private key and its passphrase: in this component's memory only, never in storage. */
interface Secret {
  generated: GeneratedKey;
  passphrase: string;
}

const stepTitles: Record<OnboardingStep, string> = {
  intro: 'What will happen',
  generate: 'Generate a key for Seqera',
  copy: 'Add it to Seqera Platform',
  check: 'Check the key',
  done: 'Done',
};

/**
 * "Get started": from nothing to a Seqera Platform SSH credential that can log in as the user.
 * Reuses the SSH Keys page's generation, list and file warnings.
 */
export function OnboardingPage() {
  const me = useQuery(meQueryOptions());
  const [flow, setFlow] = useState<SavedFlow>(() => loadFlow());
  // Set when the page opened on a step past "generate": the private key is gone (by design).
  const [restored, setRestored] = useState(() => flow.step !== 'intro' && flow.step !== 'generate');
  const [secret, setSecret] = useState<Secret | null>(null);
  const [confirmingStartOver, setConfirmingStartOver] = useState(false);
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

  function startOver() {
    setSecret(null);
    setRestored(false);
    setConfirmingStartOver(false);
    setFlow(initialFlow);
  }

  // A key the flow made and never finished with is removed on "Start over" (after asking).
  const unfinishedKey = flow.step !== 'done' ? flow.key : null;
  const stepIndex = onboardingSteps.indexOf(flow.step);

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
        </h2>
        {renderStep()}
      </div>

      {flow.step !== 'intro' && (
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
        <StartOverDialog
          flowKey={unfinishedKey}
          onCancel={() => setConfirmingStartOver(false)}
          onRemoved={startOver}
        />
      )}
    </section>
  );

  function renderStep() {
    switch (flow.step) {
      case 'intro':
        return (
          <>
            <p>
              Keysmith makes a new SSH key in this browser and adds its public half to your{' '}
              <code>~/.ssh/authorized_keys</code>, so it can log in as you. You then paste its
              private half into a Seqera Platform SSH credential, and Seqera can reach this cluster
              as you.
            </p>
            <button
              type="button"
              className="button button-primary"
              onClick={() => setFlow({ step: 'generate', key: null })}
            >
              Begin
            </button>
          </>
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
            onGenerated={(generated, passphrase) => {
              setSecret({ generated, passphrase });
              setFlow({
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
          <>
            <p role="status" className="ok-text">
              Seqera Platform can now log in to this cluster as {me.data?.user ?? 'you'} with the
              key <strong>{flow.key?.name}</strong>.
            </p>
            <p>
              The key stays on your <Link href="/ssh-keys">SSH Keys</Link> page, where you can
              delete it when Seqera no longer needs it. Before it expires, run this flow again for a
              new key and update the credential in Seqera.
            </p>
          </>
        );
      default:
        return flow.step satisfies never;
    }
  }
}

/** After a reload on step 3: the private key was only in memory. Say so, plainly. */
function KeyGoneNotice({
  name,
  onContinue,
  onStartOver,
}: {
  name: string;
  onContinue: () => void;
  onStartOver: () => void;
}) {
  return (
    <div className="warning-box" role="note">
      <p>
        <strong>The private key is gone.</strong> This page was reloaded (or left) after the key{' '}
        <strong>{name}</strong> was made. Keysmith never stores a private key, not even in this
        browser, so it was lost with the page: this is by design, not a fault.
      </p>
      <p>
        If you already pasted it into Seqera Platform, continue. Otherwise start over: that removes
        the key {name} from your authorized_keys and makes a new one.
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
