/**
 * The incident list as a table. On a phone each row becomes a card (styles.css), each cell labelled by its column's
 * name (`data-label`), since the header row is hidden there.
 */
import { STATUS_LABELS } from '../incident-filters.js';
import { incidentPath, when, type IncidentSummary } from '../incident-summary.js';

export function IncidentTable({ items, caption }: { items: IncidentSummary[]; caption: string }) {
  return (
    <table class="incidents">
      <caption class="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Incident</th>
          <th scope="col">Status</th>
          <th scope="col">Severity</th>
          <th scope="col">Commander</th>
          <th scope="col">Playbook</th>
          <th scope="col">Reported</th>
        </tr>
      </thead>
      <tbody>
        {items.map((incident) => (
          <tr key={incident.id}>
            <th scope="row" data-label="Incident">
              <a href={incidentPath(incident.id)}>
                {incident.number !== undefined ? <span class="number">#{incident.number} </span> : null}
                {incident.name}
              </a>
            </th>
            <td data-label="Status">
              <span class={`badge status-${incident.status}`}>{STATUS_LABELS[incident.status] ?? incident.status}</span>
            </td>
            <td data-label="Severity">{incident.severity}</td>
            <td data-label="Commander">{incident.commander}</td>
            <td data-label="Playbook">{incident.playbookId}</td>
            <td data-label="Reported">
              <time dateTime={incident.reportedAt}>{when(incident.reportedAt)}</time>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
