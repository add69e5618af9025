import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { DirectoryCacheNote } from './directory-cache-note.tsx';

describe('DirectoryCacheNote', () => {
  it('says when every server sees a change to keys in a directory', () => {
    render(<DirectoryCacheNote minutes={90} />);
    expect(screen.getByRole('note')).toHaveTextContent(
      'a key you add or delete reaches every server within 90 minutes',
    );
  });

  it('says nothing for keys in authorized_keys', () => {
    const { container } = render(<DirectoryCacheNote minutes={undefined} />);
    expect(container).toBeEmptyDOMElement();
  });
});
