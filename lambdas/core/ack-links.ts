/**
 * What a responder's acknowledge link may do: act once, while signed and unexpired. The token
 * (ack-tokens.ts) says who and which incident; this module decides whether the link still works
 * and records its one use, so every way a link is answered (the confirm page, the acknowledging
 * POST) refuses a used link alike.
 */
import { verifyAckToken } from './ack-tokens.js';
import type { AckKeySource, CoreDeps } from './ports.js';
import { type ActionResult, acknowledgeIncident } from './responder-actions.js';

/** A link that may act: who acknowledges which incident, and the key its one use is recorded under. */
export interface UsableAckLink {
  incidentId: string;
  responderId: string;
  useKey: string;
}

/** Why a link no longer works: not Klaxon's (or damaged), past its expiry, or used already. */
export type AckLinkRefusal = 'forged' | 'expired' | 'used';

export type AckLinkCheck =
  | ({ usable: true } & UsableAckLink)
  | { usable: false; reason: AckLinkRefusal; message: string };

export type AckLinkUse = { used: true; result: ActionResult } | { used: false; reason: 'used'; message: string };

const alreadyUsed = (incidentId: string) =>
  `Each acknowledge link works once. Incident ${incidentId} was acknowledged with it already.`;

/** Whether the link works now: signed by Klaxon, not expired, not used. */
export async function checkAckLink(
  deps: Pick<CoreDeps, 'store' | 'clock' | 'config'>,
  ackKey: AckKeySource,
  token: string,
): Promise<AckLinkCheck> {
  const verdict = verifyAckToken(await ackKey.key(), token, deps.clock.now(), deps.config);
  if (!verdict.valid) return { usable: false, reason: verdict.reason, message: verdict.message };
  const { incidentId, responderId } = verdict.claims;
  if (await deps.store.hasTimelineEntry(incidentId, verdict.useKey)) {
    return { usable: false, reason: 'used', message: alreadyUsed(incidentId) };
  }
  return { usable: true, incidentId, responderId, useKey: verdict.useKey };
}

/**
 * Acknowledges as the link's responder, then records the link's use. In that order: a crash in
 * between leaves the link usable for the retry, and the acknowledgement is idempotent. Of two
 * uses that race, the one that records first is the use; the other is told the link was used.
 * IncidentNotFoundError and TransitionRefusedError come through as from acknowledgeIncident.
 */
export async function useAckLink(deps: CoreDeps, link: UsableAckLink): Promise<AckLinkUse> {
  const result = await acknowledgeIncident(deps, link.incidentId, link.responderId);
  const firstUse = await deps.store.appendTimeline(link.incidentId, link.useKey, {
    at: deps.clock.now().toISOString(),
    type: 'ack-link-used',
    by: link.responderId,
    message: `${link.responderId} used their acknowledge link`,
  });
  if (!firstUse) {
    return { used: false, reason: 'used', message: alreadyUsed(link.incidentId) };
  }
  return { used: true, result };
}
