/**
 * A line diff as a table: each changed line says what happened to it in words (visually hidden), with a + or − and a
 * colour for the eye, and its line number in the old and the new version. Unchanged stretches fold to a few lines of
 * context around each change.
 */
import { foldUnchanged, type DiffLine } from './line-diff.js';

const MARK = { added: '+', removed: '−', same: ' ' } as const;
const SPOKEN = { added: 'added', removed: 'removed', same: 'unchanged' } as const;

export function DiffView({ lines, from, to }: { lines: DiffLine[]; from: number; to: number }) {
  const added = lines.filter((line) => line.kind === 'added').length;
  const removed = lines.filter((line) => line.kind === 'removed').length;
  const caption = `Changes from version ${from} to version ${to}: ${added} line${added === 1 ? '' : 's'} added, ${removed} removed`;
  if (!added && !removed) return <p class="note">Versions {from} and {to} have the same text.</p>;
  return (
    <table class="diff">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">
            <abbr title={`line in version ${from}`}>v{from}</abbr>
          </th>
          <th scope="col">
            <abbr title={`line in version ${to}`}>v{to}</abbr>
          </th>
          <th scope="col">
            <span class="visually-hidden">Change</span>
          </th>
          <th scope="col">Line</th>
        </tr>
      </thead>
      <tbody>
        {foldUnchanged(lines).map((row, index) =>
          row.kind === 'skipped' ? (
            <tr key={index} class="diff-skipped">
              <td colSpan={4}>… {row.count} unchanged line{row.count === 1 ? '' : 's'} …</td>
            </tr>
          ) : (
            <tr key={index} class={`diff-${row.kind}`}>
              <td class="diff-number">{row.kind === 'added' ? '' : row.oldLine}</td>
              <td class="diff-number">{row.kind === 'removed' ? '' : row.newLine}</td>
              <td class="diff-mark">
                <span aria-hidden="true">{MARK[row.kind]}</span>
                <span class="visually-hidden">{SPOKEN[row.kind]}</span>
              </td>
              <td class="diff-text">
                <code>{row.text || ' '}</code>
              </td>
            </tr>
          ),
        )}
      </tbody>
    </table>
  );
}
