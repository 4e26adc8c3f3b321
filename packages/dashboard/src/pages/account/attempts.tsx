/** A webhook delivery's attempts: shared by the endpoint's delivery log and a message's timeline. */
import type { Attempt } from '../../lib/webhooks.ts';
import { dateTime } from '../../lib/format.ts';
import { Badge } from '../../ui/layout.tsx';

/** What an endpoint answered, in a few words: "HTTP 200", or why there was no answer. */
export function answerOf(a: Pick<Attempt, 'status_code' | 'error'>): string {
  if (a.status_code !== null) return `HTTP ${a.status_code}`;
  return a.error ?? 'no answer';
}

/** The tone of an attempt: a 2xx went through, anything else did not. */
export function attemptTone(a: Pick<Attempt, 'status_code'>): 'good' | 'bad' {
  return a.status_code !== null && a.status_code >= 200 && a.status_code < 300 ? 'good' : 'bad';
}

/** Every attempt of one delivery, oldest first, in a small table named after the delivery. */
export function AttemptsTable({ caption, attempts }: { caption: string; attempts: Attempt[] }) {
  if (attempts.length === 0) return <p className="text-xs text-zinc-500">No attempt yet: the first is on its way.</p>;
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left text-xs">
        <caption className="sr-only">{caption}</caption>
        <thead className="text-zinc-500">
          <tr>
            {['Attempt', 'HTTP status', 'Latency', 'Response', 'Time', 'Next retry'].map((h) => (
              <th key={h} scope="col" className="whitespace-nowrap px-2 py-1 font-medium">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {attempts.map((a) => (
            <tr key={a.id} className="border-t border-zinc-100 dark:border-zinc-800">
              <td className="px-2 py-1">{a.attempt}</td>
              <td className="px-2 py-1">
                <Badge tone={attemptTone(a)}>{answerOf(a)}</Badge>
              </td>
              <td className="whitespace-nowrap px-2 py-1">{a.duration_ms} ms</td>
              <td className="max-w-xs px-2 py-1">
                <code className="break-all font-mono">{a.response_excerpt || (a.status_code === null ? a.error : '') || '—'}</code>
              </td>
              <td className="whitespace-nowrap px-2 py-1">{dateTime(a.created_at)}</td>
              <td className="whitespace-nowrap px-2 py-1">{dateTime(a.next_retry_at)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
