import { generatePhaseLabel, type GeneratePhase } from './use-generate-key.ts';

/** The progress line of a key generation, and its failure if it failed. */
export function GenerateProgress({
  phase,
  busy,
  failure,
}: {
  phase: GeneratePhase;
  busy: boolean;
  failure: string | null;
}) {
  return (
    <>
      <div role="status" className="progress-line">
        {busy && <progress aria-label={generatePhaseLabel(phase)} />}
        {generatePhaseLabel(phase)}
      </div>
      {failure && (
        <p role="alert" className="error-box">
          {failure}
        </p>
      )}
    </>
  );
}
