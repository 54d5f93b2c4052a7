/**
 * Every message Klaxon sends, in one place, rendered per channel. The wording follows the
 * runbooks' communication templates (initial alert: severity, summary, impact, detected time,
 * status, update cadence).
 */
import type { Responder, Role, TierPolicy } from './config.js';
import { gsm7Length, SMS_SEGMENT_SEPTETS, toGsm7, truncateGsm7 } from './gsm7.js';
import type { Incident } from './incident.js';
import type { EscalationStep } from './ladder.js';

export interface PageMessage {
  subject: string;
  /** One GSM-7 segment, or undefined when the step does not page by SMS. */
  sms?: string;
  /** Plain-text email body, or undefined when the step does not page by email. */
  email?: string;
}

export interface RenderContext {
  /** Base URL of the Klaxon API, for the acknowledge instructions. */
  apiBaseUrl: string;
  tier: TierPolicy;
  /** This responder's signed acknowledge link, when ack links are configured. */
  ackLink?: string;
}

const drillTag = (incident: Incident) => (incident.drill ? '[DRILL] ' : '');

/** Email subjects are single-line; strip control characters a hostile alarm name could carry. */
function oneLine(text: string, max: number): string {
  const flat = text.replace(/\p{Cc}+/gu, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export function renderSubject(incident: Incident): string {
  return oneLine(`${drillTag(incident)}[${incident.severity}] ${incident.title} (incident ${incident.id})`, 100);
}

/**
 * The SMS: severity, title, summary, then how to acknowledge, within one 160-septet segment.
 * The acknowledgement hint is never cut; the summary gives way first, then the title.
 */
export function renderSms(incident: Incident, step: EscalationStep, ackLink?: string): string {
  const escalation =
    step.reason === 'reassigned' ? ' ASSIGNED TO YOU' : step.index > 0 || step.reason ? ' ESCALATED' : '';
  const prefix = toGsm7(`${drillTag(incident)}${incident.severity}${escalation} `);
  const ack = toGsm7(ackLink ? ` Ack: ${ackLink}` : ` Ack: klaxon ack ${incident.id}`);
  const forText = SMS_SEGMENT_SEPTETS - gsm7Length(prefix) - gsm7Length(ack);
  const title = truncateGsm7(toGsm7(oneLine(incident.title, 400)), Math.max(10, forText - MIN_SUMMARY_SEPTETS - 2));
  const room = forText - gsm7Length(title) - 2;
  const summary = truncateGsm7(toGsm7(oneLine(incident.summary, 400)), Math.max(0, room));
  return truncateGsm7(`${prefix}${title}: ${summary}`, SMS_SEGMENT_SEPTETS - gsm7Length(ack)) + ack;
}

/** However long the title, the SMS keeps this much of the summary (the why). */
const MIN_SUMMARY_SEPTETS = 40;

export function renderEmail(incident: Incident, step: EscalationStep, context: RenderContext): string {
  const ackUrl = `${context.apiBaseUrl}/v1/incidents/${encodeURIComponent(incident.id)}/acknowledge`;
  const updateEvery = context.tier.statusUpdateEvery;
  const detailLines = Object.entries(incident.details).map(([key, value]) => `  ${key}: ${value}`);
  const lines = [
    `${drillTag(incident)}${emailHeadline(step)}`,
    '',
    `Severity: ${incident.severity} (${context.tier.description})`,
    `Summary: ${incident.title}`,
    `Reason: ${incident.summary}`,
    `Service: ${incident.service}`,
    `Detected: ${incident.openedAt}`,
    `Incident: ${incident.id}`,
    `Status: ${incident.status === 'open' ? 'Investigating' : incident.status}`,
    ...(detailLines.length > 0 ? ['', 'Details:', ...detailLines] : []),
    '',
    'To acknowledge (stops the escalation to the next person):',
    ...(context.ackLink ? [`  open ${context.ackLink} (link valid 24 h, for you only)`] : []),
    `  klaxon ack ${incident.id}`,
    `  or POST ${ackUrl} (signed with your AWS credentials when Klaxon runs on AWS)`,
    '',
    `Acknowledge within ${context.tier.ackTarget}.${updateEvery ? ` Post a status update every ${updateEvery} while it is open.` : ''}`,
  ];
  return lines.join('\n');
}

function emailHeadline(step: EscalationStep): string {
  const loop = step.loop ? `, repeat ${step.loop} of the ladder: nobody has acknowledged` : '';
  switch (step.reason) {
    case 'reassigned':
      return 'INCIDENT ASSIGNED TO YOU';
    case 'escalated':
      return `INCIDENT ESCALATED BY HAND (escalation step ${step.index + 1})`;
    case 'severity-raised':
      return `INCIDENT SEVERITY RAISED (escalation step ${step.index + 1})`;
    default:
      return `INCIDENT DETECTED${step.index > 0 ? ` (escalation step ${step.index + 1}${loop})` : ''}`;
  }
}

export interface HandoffContext {
  responder: Responder;
  role: Role;
  /** ISO-8601 UTC, and the same in the rotation's time zone for people. */
  until?: string;
  untilLocal?: string;
  /** The unresolved incidents they now hold, oldest first. */
  incidents: Incident[];
}

/** The on-call handoff: email with the open incidents listed; SMS in one segment. */
export function renderHandoff(context: HandoffContext): PageMessage {
  const { role, incidents } = context;
  const until = context.untilLocal ?? context.until;
  const count = incidents.length === 1 ? '1 open incident' : `${incidents.length} open incidents`;
  const smsText = toGsm7(
    `Klaxon: you are now ${role} on call${until ? ` until ${until}` : ''}. ${count}${incidents.length > 0 ? ': klaxon list' : '.'}`,
  );
  const listed = incidents.map(
    (incident) =>
      `  ${incident.severity} ${oneLine(incident.title, 120)} (${incident.status}, opened ${incident.openedAt}) - klaxon show ${incident.id}`,
  );
  const email = [
    `Hello ${context.responder.name},`,
    '',
    `You are now on call as ${role}${until ? ` until ${until}${context.until && context.untilLocal ? ` (${context.until})` : ''}` : ''}.`,
    'Pages for this role come to you from now on.',
    '',
    incidents.length > 0 ? `You now hold ${count}:` : 'There are no open incidents for you right now.',
    ...listed,
    '',
    'See who is on call: klaxon oncall (or GET /v1/oncall).',
  ].join('\n');
  return {
    subject: oneLine(`[Klaxon] You are now ${role} on call${incidents.length > 0 ? ` (${count})` : ''}`, 100),
    sms: truncateGsm7(smsText, SMS_SEGMENT_SEPTETS),
    email,
  };
}

export function renderPage(incident: Incident, step: EscalationStep, context: RenderContext): PageMessage {
  return {
    subject: renderSubject(incident),
    sms: step.channels.includes('sms') ? renderSms(incident, step, context.ackLink) : undefined,
    email: step.channels.includes('email') ? renderEmail(incident, step, context) : undefined,
  };
}
