/**
 * The web app's entry: asks who is signed in, then shows the page the address names. Pages other than sign-in need a
 * session (or open mode); without one the person is sent to sign in and brought back afterwards.
 */
import { render } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { useSignal } from '@preact/signals';
import { Layout } from './components/layout.js';
import { Failure, Loading } from './components/states.js';
import { IncidentPage } from './pages/incident.js';
import { IncidentsPage } from './pages/incidents.js';
import { PlaybookPages } from './playbooks/pages.js';
import { SignInPage } from './pages/sign-in.js';
import { StartIncidentPage } from './pages/start-incident.js';
import { StatsPage } from './pages/stats.js';
import { match, navigate, place, startRouter, type Route } from './router.js';
import { loadSession, me, signInPath } from './session.js';

const TITLES: Record<Route['name'], string> = {
  incidents: 'Incident list',
  incident: 'Incident',
  'start-incident': 'Start an incident',
  stats: 'Stats',
  playbooks: 'Playbooks',
  'sign-in': 'Sign in',
  'not-found': 'Not found',
};

function Page({ route }: { route: Route }) {
  switch (route.name) {
    case 'incidents':
      return <IncidentsPage />;
    case 'incident':
      return <IncidentPage id={route.id} />;
    case 'start-incident':
      return <StartIncidentPage />;
    case 'stats':
      return <StatsPage />;
    case 'playbooks':
      return <PlaybookPages route={route} />;
    default:
      return (
        <>
          <h1>Page not found</h1>
          <p>
            There is no page at this address. <a href="/app/">Go to the incident list</a>
          </p>
        </>
      );
  }
}

/** After a navigation inside the app, focus goes to the new page's main landmark (not on the first load). */
function useFocusOnNavigation(path: string): void {
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    document.getElementById('main')?.focus();
  }, [path]);
}

function App() {
  const failure = useSignal<Error | undefined>(undefined);
  const { path } = place.value;
  const route = match(path);
  useFocusOnNavigation(path);
  useEffect(() => {
    document.title = `${TITLES[route.name]} · Incidents`;
  }, [route.name]);
  useEffect(() => {
    if (me.value === undefined) loadSession().catch((error: Error) => (failure.value = error));
  }, [failure]);
  useEffect(() => {
    if (me.value === null && route.name !== 'sign-in') navigate(signInPath(), { replace: true });
  }, [me.value, route.name]);

  if (route.name === 'sign-in') return <SignInPage />;
  if (failure.value) {
    return (
      <main id="main" tabIndex={-1}>
        <h1>Incidents</h1>
        <Failure error={failure.value} onRetry={() => window.location.reload()} />
      </main>
    );
  }
  if (!me.value) {
    return (
      <main id="main" tabIndex={-1}>
        <Loading what="your session" />
      </main>
    );
  }
  return (
    <Layout>
      <Page route={route} />
    </Layout>
  );
}

startRouter();
const container = document.getElementById('app')!;
// index.html's "Loading…" placeholder goes: render() adds to what the container holds rather than replacing it.
container.replaceChildren();
render(<App />, container);
