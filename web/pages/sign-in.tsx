/**
 * /app/sign-in: with an API token (the API sets a session cookie for it; the token is not kept by the app), or with
 * Mattermost when the API offers it. In open mode there is nothing to sign in to, and the page says so.
 */
import { useState } from 'preact/hooks';
import { ApiError } from '../api.js';
import { Field, hintId } from '../components/field.js';
import { Failure, Loading } from '../components/states.js';
import { navigate, place, safeReturnTo } from '../router.js';
import { me, signInOptions, signInWithToken } from '../session.js';
import { useRequest } from '../use-request.js';

function TokenForm({ returnTo }: { returnTo: string }) {
  const [token, setToken] = useState('');
  const [failure, setFailure] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    if (!token.trim()) {
      setFailure('Enter an API token.');
      return;
    }
    setBusy(true);
    setFailure(undefined);
    try {
      await signInWithToken(token.trim());
      navigate(returnTo, { replace: true });
    } catch (error) {
      setFailure(error instanceof ApiError && error.status === 401 ? 'That token is not known to this API.' : (error as Error).message);
      setBusy(false);
    }
  };
  return (
    <form class="sign-in-form" onSubmit={submit} noValidate>
      <Field id="token" label="API token" hint="A token from npm run api:token, like ict_…; it is exchanged for a session and not stored by this page.">
        <input
          id="token"
          name="token"
          type="password"
          autoComplete="off"
          spellcheck={false}
          value={token}
          aria-describedby={`${hintId('token')}${failure ? ' token-error' : ''}`}
          aria-invalid={failure ? true : undefined}
          onInput={(event) => setToken(event.currentTarget.value)}
        />
      </Field>
      {failure ? (
        <p id="token-error" class="error-text" role="alert">
          {failure}
        </p>
      ) : null}
      <button type="submit" disabled={busy}>
        {busy ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}

export function SignInPage() {
  const returnTo = safeReturnTo(place.value.search.get('return_to'));
  const options = useRequest(() => signInOptions(), []);
  const who = me.value;
  return (
    <main id="main" tabIndex={-1} class="sign-in">
      <h1>Sign in to Incidents</h1>
      {who && who.via !== 'open' ? (
        <p>
          You are signed in as <strong>{who.name}</strong>. <a href={returnTo}>Continue</a>
        </p>
      ) : null}
      {options.status === 'loading' ? <Loading what="the ways to sign in" /> : null}
      {options.status === 'failed' ? <Failure error={options.error} onRetry={options.retry} /> : null}
      {options.status === 'done' && options.data.open ? (
        <div class="note">
          <p>This API runs in open mode: it has no API tokens, so everyone on this machine may act without signing in, as the admin "anonymous".</p>
          <p>
            <a href={returnTo}>Go on without signing in</a>
          </p>
        </div>
      ) : null}
      {options.status === 'done' && options.data.open && options.data.mattermost ? (
        <p>
          Or act as yourself, with the same rights as in chat:{' '}
          <a class="button" href={`/app/auth/login?return_to=${encodeURIComponent(returnTo)}`}>
            Sign in with Mattermost
          </a>
        </p>
      ) : null}
      {options.status === 'done' && !options.data.open ? (
        <>
          {options.data.mattermost ? (
            <p>
              <a class="button" href={`/app/auth/login?return_to=${encodeURIComponent(returnTo)}`}>
                Sign in with Mattermost
              </a>
            </p>
          ) : null}
          {options.data.tokens ? (
            <section aria-labelledby="token-title">
              <h2 id="token-title">{options.data.mattermost ? 'Or with an API token' : 'With an API token'}</h2>
              <TokenForm returnTo={returnTo} />
            </section>
          ) : null}
        </>
      ) : null}
    </main>
  );
}
