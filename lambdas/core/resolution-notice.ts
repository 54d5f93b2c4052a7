/**
 * The first thing after a resolution: everyone who was paged for the incident since it last
 * (re)opened hears that it is over, by the channels they were paged on. Without it, the secondary
 * paged at 02:30 keeps working an incident the primary resolved at 02:35.
 */
import type { Channel } from './config.js';
import { responderById, tierOf } from './config-lookups.js';
import { WRITTEN_CHANNELS } from './config-terms.js';
import type { Incident, TimelineEntry } from './incident.js';
import type { PagingDeps } from './ports.js';
import { planPostmortemReminders } from './reminders.js';
import { resolutionNoticeKey, runPagesKeyPrefix } from './runs.js';
import { renderResolutionNotice } from './templates.js';

export interface ResolutionNoticeRequest {
  incidentId: string;
  /** The episode that resolved: a reopened incident is not over, and gets no notice. */
  run: number;
}

export interface ResolutionNoticeResult {
  notified: string[];
  skipped?: string;
}

/** Who was paged, and on which channels (a person paged twice hears once, on every channel used). */
export function resolutionRecipients(paged: TimelineEntry[]): Map<string, Channel[]> {
  const recipients = new Map<string, Set<Channel>>();
  for (const entry of paged) {
    if (typeof entry.responder !== 'string') continue;
    const channels = recipients.get(entry.responder) ?? new Set<Channel>();
    for (const channel of Array.isArray(entry.channels) ? entry.channels : []) {
      // A resolution is told in writing: a voice page's person hears it by email.
      if ((WRITTEN_CHANNELS as readonly unknown[]).includes(channel)) channels.add(channel as Channel);
    }
    recipients.set(entry.responder, channels);
  }
  return new Map(
    [...recipients].map(([responder, used]) => {
      const channels = WRITTEN_CHANNELS.filter((channel) => used.has(channel));
      return [responder, channels.length > 0 ? channels : ['email']];
    }),
  );
}

const stillResolved = (incident: Incident, episode: number) =>
  incident.status === 'resolved' && incident.run.episode === episode;

/**
 * The pages of the episode that resolved: every run from the one that (re)opened it to the last (a
 * re-plan starts a run too, and whoever an earlier run of the episode paged is still on it). Those
 * paged in an earlier episode were told when it resolved then.
 */
export async function pagesSinceOpening(deps: Pick<PagingDeps, 'store'>, incident: Incident): Promise<TimelineEntry[]> {
  const runs: number[] = [];
  for (let run = incident.run.episode; run <= incident.run.number; run++) runs.push(run);
  const pages = await Promise.all(runs.map((run) => deps.store.timelineEntries(incident.id, runPagesKeyPrefix(run))));
  return pages.flat();
}

/**
 * Sends the notice to each person paged who has not had it for this episode. Each is recorded on the
 * timeline after their message goes out, so a retry reaches only those it did not reach.
 */
export async function noticeResolution(
  deps: PagingDeps,
  request: ResolutionNoticeRequest,
): Promise<ResolutionNoticeResult> {
  const incident = await deps.store.getIncident(request.incidentId);
  if (!incident) throw new Error(`Incident ${request.incidentId} does not exist; nobody to tell it is resolved`);
  if (!stillResolved(incident, request.run)) return { notified: [], skipped: 'incident reopened' };
  const recipients = resolutionRecipients(await pagesSinceOpening(deps, incident));
  const tier = tierOf(deps.config, incident);
  const postmortemDueAt = planPostmortemReminders(tier, incident)?.dueAt;
  const notified: string[] = [];
  for (const [responderId, channels] of recipients) {
    const key = resolutionNoticeKey(request.run, responderId);
    const responder = responderById(deps.config, responderId);
    if (!responder || (await deps.store.hasTimelineEntry(incident.id, key))) continue;
    const message = renderResolutionNotice(
      incident,
      { channels, ...(postmortemDueAt ? { postmortemDueAt } : {}) },
      { apiBaseUrl: deps.apiBaseUrl, tier },
    );
    await deps.pager.page({ responder, incidentId: incident.id, purpose: 'resolution', ...message });
    await deps.store.appendTimeline(incident.id, key, {
      at: deps.clock.now().toISOString(),
      type: 'resolution-notice',
      by: 'klaxon',
      responder: responder.id,
      channels,
      message: `Told ${responder.name} the incident is resolved, by ${channels.join(' and ')}`,
    });
    notified.push(responder.id);
  }
  return { notified };
}
