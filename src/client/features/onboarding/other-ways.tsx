import { CopyButton } from '../../ui/copy-button.tsx';
import {
  credentialsRequestBody,
  privateKeyPath,
  privateKeyPreview,
  twCredentialsCommand,
} from './seqera.ts';

interface OtherWaysProps {
  name: string;
  privateKey: string;
  passphrase: string;
  encrypted: boolean;
}

/**
 * The same credential as a `tw` command and as the JSON body of Seqera's `POST /credentials`,
 * folded away below the form: built here, never sent to the Keysmith server.
 */
export function OtherWays({ name, privateKey, passphrase, encrypted }: OtherWaysProps) {
  const body = credentialsRequestBody({ name, privateKey, passphrase });
  // On screen the body is shortened and the passphrase masked; the copy is the real body.
  const shownBody = credentialsRequestBody({
    name,
    privateKey: privateKeyPreview(privateKey),
    passphrase: passphrase === '' ? '' : '••••••••',
  });
  const keyFile = privateKeyPath(name);
  return (
    <details className="other-ways">
      <summary>Other ways to add it: the Seqera CLI (tw) or the Seqera API</summary>
      <h3 className="section-title">With the Seqera CLI (tw)</h3>
      <p className="hint">
        Save the private key as <code>{keyFile}</code> first (Download, then{' '}
        <code className="command">
          mv ~/Downloads/{name} ~/.ssh/ && chmod 600 {keyFile}
        </code>
        ){encrypted ? '; -p makes tw ask for the passphrase.' : '.'}
      </p>
      <pre className="code-block" aria-label="tw command">
        {twCredentialsCommand(name, encrypted)}
      </pre>
      <CopyButton
        text={twCredentialsCommand(name, encrypted)}
        label="Copy"
        accessibleLabel="Copy tw command"
      />

      <h3 className="section-title">With the Seqera API</h3>
      <p className="hint">
        The body of <code>POST /credentials?workspaceId=WORKSPACE_ID</code> (leave out{' '}
        <code>workspaceId</code> for your personal workspace), sent with your Seqera access token as{' '}
        <code>Authorization: Bearer</code>. Built in this page; it never goes to the Keysmith
        server. Shortened on screen, with the passphrase masked; the copy is the full body.
      </p>
      <pre className="code-block" aria-label="JSON body (shortened on screen)">
        {shownBody}
      </pre>
      <CopyButton text={body} label="Copy JSON body" />
    </details>
  );
}
