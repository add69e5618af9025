import { useId, useState, type SubmitEvent } from 'react';
import { credentialsUrl } from './seqera.ts';
import { sendCredentialsToSeqera, type SendResult } from './seqera-api.ts';

type SendState =
  { kind: 'idle' } | { kind: 'invalid'; message: string } | { kind: 'sending' } | SendResult;

interface SendToSeqeraProps {
  name: string;
  /** The Seqera APIs the server lets this page reach (`--seqera-api`, its CSP connect-src). */
  apiUrls: readonly string[];
  /** The JSON body of `POST /credentials`, built by the page. */
  body: string;
  onCreated: () => void;
}

/**
 * Optional: the credential sent from this browser to Seqera's API with a token the user types.
 * The token lives in this component's state until sent, and nowhere else. Offered only when
 * the server names Seqera APIs: the page's CSP lets it reach those and no others.
 */
export function SendToSeqera({ name, apiUrls, body, onCreated }: SendToSeqeraProps) {
  const id = useId();
  const [apiUrl, setApiUrl] = useState(apiUrls[0] ?? '');
  const [token, setToken] = useState('');
  const [workspaceId, setWorkspaceId] = useState('');
  const [state, setState] = useState<SendState>({ kind: 'idle' });

  async function send(event: SubmitEvent) {
    event.preventDefault();
    if (token.trim() === '') {
      setState({
        kind: 'invalid',
        message: 'Enter a Seqera access token (user menu → Your tokens).',
      });
      return;
    }
    try {
      const origin = new URL(credentialsUrl(apiUrl, workspaceId.trim())).origin;
      if (!apiUrls.includes(origin)) {
        setState({
          kind: 'invalid',
          message: `This Keysmith may send only to ${apiUrls.join(' or ')} (its --seqera-api): use one of those, or fill in Seqera's form above.`,
        });
        return;
      }
    } catch (error) {
      setState({
        kind: 'invalid',
        message: error instanceof Error ? error.message : String(error),
      });
      return;
    }
    setState({ kind: 'sending' });
    const result = await sendCredentialsToSeqera({
      apiUrl,
      workspaceId: workspaceId.trim(),
      token: token.trim(),
      body,
    });
    setState(result);
    if (result.kind === 'created') {
      setToken('');
      onCreated();
    }
  }

  const message = stateMessage(state, name, apiUrl, workspaceId.trim());
  return (
    <form aria-label="Send to Seqera Platform" onSubmit={(event) => void send(event)} noValidate>
      <p className="hint">
        Instead of pasting, this page can send the credential straight to Seqera&apos;s API with an
        access token you create in Seqera (user menu → Your tokens). The token is used for this one
        request and kept nowhere; nothing passes through the Keysmith server.
      </p>
      <div className="field">
        <label htmlFor={`${id}-url`}>Seqera API URL</label>
        <input
          id={`${id}-url`}
          type="url"
          value={apiUrl}
          autoComplete="off"
          spellCheck={false}
          aria-describedby={`${id}-url-hint`}
          onChange={(event) => setApiUrl(event.target.value)}
        />
        <p id={`${id}-url-hint`} className="hint">
          This Keysmith may send to {apiUrls.join(' or ')}; a Seqera Enterprise API usually ends in
          /api.
        </p>
      </div>
      <div className="field">
        <label htmlFor={`${id}-token`}>Access token</label>
        <input
          id={`${id}-token`}
          type="password"
          value={token}
          autoComplete="off"
          spellCheck={false}
          onChange={(event) => setToken(event.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-workspace`}>Workspace id</label>
        <input
          id={`${id}-workspace`}
          inputMode="numeric"
          value={workspaceId}
          autoComplete="off"
          aria-describedby={`${id}-workspace-hint`}
          onChange={(event) => setWorkspaceId(event.target.value)}
        />
        <p id={`${id}-workspace-hint`} className="hint">
          A number; leave empty for your personal workspace.
        </p>
      </div>
      <div className="action-row">
        <button
          type="submit"
          className="button button-secondary"
          disabled={state.kind === 'sending'}
        >
          {state.kind === 'sending' ? 'Sending…' : 'Send to Seqera Platform'}
        </button>
      </div>
      <p role="status" className={state.kind === 'created' ? 'ok-text' : 'hint'}>
        {state.kind === 'created' || state.kind === 'sending' ? message : ''}
      </p>
      {message !== '' && state.kind !== 'created' && state.kind !== 'sending' && (
        <p role="alert" className="error-box">
          {message}
        </p>
      )}
    </form>
  );
}

function stateMessage(state: SendState, name: string, apiUrl: string, workspaceId: string): string {
  const where = workspaceId === '' ? 'your personal workspace' : `workspace ${workspaceId}`;
  switch (state.kind) {
    case 'idle':
      return '';
    case 'invalid':
      return state.message;
    case 'sending':
      return 'Sending to Seqera Platform…';
    case 'created':
      return `Seqera Platform saved the credential ${name} in ${where}${state.credentialsId ? ` (id ${state.credentialsId})` : ''}. Continue below.`;
    case 'unauthorized':
      return 'Seqera refused the access token (401). Check that you copied all of it, or create a new one in Seqera: user menu → Your tokens.';
    case 'forbidden':
      return `Seqera says this token may not add credentials to ${where} (403). Use a token of someone who may, or leave the workspace id empty for your personal workspace.`;
    case 'name-taken':
      return `A credential named ${name} already exists in ${where} (409). Delete or rename it in Seqera, or start over with another name.`;
    case 'blocked':
      return `This page could not reach ${apiUrl}: check the address, the network, and that Seqera's API accepts requests from this page (CORS). Or fill in Seqera's form above.`;
    case 'failed':
      return `Seqera answered ${state.status === 0 ? 'nothing' : state.status}: ${state.message} Retry, or fill in Seqera's form above.`;
    default:
      return state satisfies never;
  }
}
