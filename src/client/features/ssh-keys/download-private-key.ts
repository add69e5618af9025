/**
 * Saves a private key file through the browser's download. ssh-keygen refuses CRLF and a
 * missing final newline (REFERENCE.md): the text is kept exactly as encoded, LF only, and sent
 * as bytes so no platform rewrites it.
 */
export function downloadPrivateKey(privateKey: string, fileName: string): void {
  const blob = new Blob([privateKey], { type: 'application/octet-stream' });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
