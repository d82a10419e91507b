/** The playbook pages, by the route the router matched. */
import { PlaybookEditPage } from './edit-page.js';
import { PlaybookListPage } from './list-page.js';
import { PlaybookNewPage } from './new-page.js';
import type { PlaybookRoute } from './paths.js';
import { PlaybookVersionsPage } from './versions-page.js';
import { PlaybookViewPage } from './view-page.js';

export function PlaybookPages({ route }: { route: PlaybookRoute }) {
  const id = route.id ?? '';
  switch (route.page) {
    case 'new':
      return <PlaybookNewPage />;
    case 'show':
      return <PlaybookViewPage id={id} />;
    case 'edit':
      return <PlaybookEditPage id={id} />;
    case 'versions':
      return <PlaybookVersionsPage id={id} />;
    default:
      return <PlaybookListPage />;
  }
}
