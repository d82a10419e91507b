/**
 * The frame of every signed-in page: a skip link, the header (the app's name, who is signed in, sign-out) and the main
 * landmark the router moves focus to on each navigation, so a screen reader starts reading the new page.
 */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { me, signOut } from '../session.js';

const SCOPE_LABELS = { read: 'can read', write: 'can change', admin: 'admin' } as const;

function WhoIsSignedIn() {
  const who = me.value;
  const [failure, setFailure] = useState<string | undefined>();
  if (!who) return null;
  if (who.via === 'open') {
    return (
      <p class="who">
        Open mode: you act as <strong>{who.name}</strong>. <a href="/app/sign-in">Sign in</a>
      </p>
    );
  }
  const leave = () => {
    setFailure(undefined);
    signOut().catch((error: Error) => setFailure(`Sign-out failed: ${error.message}`));
  };
  return (
    <div class="who">
      <p>
        Signed in as <strong>{who.name}</strong> <span class="scope">({SCOPE_LABELS[who.scope]})</span>
      </p>
      <button type="button" class="secondary" onClick={leave}>
        Sign out
      </button>
      {failure ? (
        <p role="alert" class="error-text">
          {failure}
        </p>
      ) : null}
    </div>
  );
}

export function Layout({ children }: { children: ComponentChildren }) {
  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="site-header">
        <a class="brand" href="/app/">
          Incidents
        </a>
        <nav aria-label="Main">
          <ul>
            <li>
              <a href="/app/">Incident list</a>
            </li>
            <li>
              <a href="/app/incidents/new">Start an incident</a>
            </li>
            <li>
              <a href="/app/stats">Stats</a>
            </li>
            <li>
              <a href="/app/playbooks">Playbooks</a>
            </li>
          </ul>
        </nav>
        <WhoIsSignedIn />
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
